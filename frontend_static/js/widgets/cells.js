// Editing one grid cell in place: Enter or leaving the cell saves, Escape cancels; the server's
// problems with this field's value are shown in the cell until the value is fixed.

import { display, editor, LocalError, valueField } from "../fields/types.js";
import { clear, h, nextId } from "../ui.js";

export const same = (a, b) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** The words about one field in an API error: its details, else the error's message. */
export function messagesFor(err, fieldName) {
  if (err instanceof LocalError) return [err.message];
  const mine = (err.details || []).filter((d) => d.field === fieldName || String(d.field).startsWith(fieldName + "."));
  if (mine.length) return mine.map((d) => d.message || d.code);
  return [err.message];
}

export function showDisplay(td, field, value) {
  td.classList.remove("editing", "invalid");
  const shown = gridDisplay(field, value);
  clear(td, h("span.cell-value", shown));
  td.title = typeof shown === "string" ? shown : shown?.textContent || "";
}

// Country codes of three digits start with these two (ITU E.164 zones 2, 3, 4, 5, 6, 8, 9);
// +1 and +7 have one digit; every other code has two. Simple, and right for most numbers.
const THREE_DIGIT_CODE = /^(21|22|23|24|25|26|29|35|37|38|42|50|59|67|68|69|80|85|87|88|96|97|99)/;

/** An E.164 number as people write it: "+33612345678" → "+33 612 345 678", "+14155550123" →
 * "+1 415 555 0123". Anything else is shown as it is. */
export function formatPhone(value) {
  const m = /^\+(\d{6,15})$/.exec(String(value));
  if (!m) return String(value);
  const digits = m[1];
  const cc = /^[17]/.test(digits) ? 1 : THREE_DIGIT_CODE.test(digits) ? 3 : 2;
  const rest = digits.slice(cc);
  if (cc === 1 && digits[0] === "1" && rest.length === 10) return `+1 ${rest.slice(0, 3)} ${rest.slice(3, 6)} ${rest.slice(6)}`;
  const groups = rest.match(/\d{1,3}/g) || [];
  if (groups.length > 1 && groups[groups.length - 1].length === 1) groups.splice(-2, 2, groups.at(-2) + groups.at(-1));
  return `+${digits.slice(0, cc)} ${groups.join(" ")}`;
}

/** A value as the grid shows it on one line: phones grouped, booleans as a checkmark, lookups
 * as chips, the rest as the record page shows it (numbers, currencies, dates in the browser's
 * locale; select options as coloured chips). */
export function gridDisplay(field, value) {
  const type = valueField(field).type;
  if (value === null || value === undefined || value === "") return "";
  if (type === "phone") return formatPhone(value);
  if (type === "boolean") {
    return h("span.check-mark", { role: "img", "aria-label": value ? "Yes" : "No", title: value ? "Yes" : "No" }, value ? "✓" : "");
  }
  if (type === "lookup") {
    const items = (Array.isArray(value) ? value : [value]).filter((v) => v !== null && v !== "");
    return h("span.chips", items.map((v) => h("span.chip", typeof v === "object" ? JSON.stringify(v) : String(v))));
  }
  return display(field, value, { links: false });
}

/** A cell error under an editor; returns setter(messages|null). */
export function errorSlot(container, control) {
  const slot = h("p.cell-error", { id: nextId("cerr"), role: "alert" });
  slot.hidden = true;
  container.append(slot);
  return (messages) => {
    const cell = container.closest("td");
    if (!messages) {
      slot.hidden = true;
      slot.textContent = "";
      control.removeAttribute("aria-invalid");
      cell?.classList.remove("invalid");
      return;
    }
    slot.hidden = false;
    slot.textContent = messages.join("; ");
    control.setAttribute("aria-invalid", "true");
    control.setAttribute("aria-describedby", slot.id);
    cell?.classList.add("invalid");
  };
}

function edgeControl(box, first) {
  const inner = [...box.querySelectorAll("input, select, textarea")];
  return first ? inner[0] : inner[inner.length - 1];
}

/**
 * Put an editor in `td`. `save(value)` writes it (throws an ApiError to keep the editor open
 * with the problem shown); `done(value|undefined)` runs when the cell goes back to display.
 */
export function editCell(td, { field, value, save, done, typed }) {
  if (td.classList.contains("editing")) return;
  const ed = editor(field, value, { "aria-label": field.label });
  const box = h("div.cell-editor", ed.el);
  const setError = errorSlot(box, ed.control);
  td.classList.add("editing");
  clear(td, box);
  let saving = false;

  const finish = (newValue, refocus) => {
    showDisplay(td, field, newValue === undefined ? value : newValue);
    done(newValue);
    if (refocus) td.focus();
  };

  /** Save if changed; true once the cell shows its value again. */
  const commit = async (refocus) => {
    if (saving) return false;
    let next;
    try {
      next = ed.read();
    } catch (err) {
      setError(messagesFor(err, field.name));
      return false;
    }
    if (same(next, value)) {
      finish(undefined, refocus);
      return true;
    }
    saving = true;
    box.setAttribute("aria-busy", "true");
    try {
      const saved = await save(next);
      finish(saved, refocus);
      return true;
    } catch (err) {
      setError(messagesFor(err, field.name));
      if (refocus) ed.control.focus();
      return false;
    } finally {
      saving = false;
      box.removeAttribute("aria-busy");
    }
  };

  box.addEventListener("keydown", (e) => {
    e.stopPropagation(); // the grid's arrow-key navigation stays out of the editor
    const multiline = e.target.tagName === "TEXTAREA";
    if (e.key === "Escape") {
      e.preventDefault();
      finish(undefined, true);
    } else if (e.key === "Enter" && (!multiline || e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      commit(true);
    } else if (e.key === "Tab" && e.target === edgeControl(box, e.shiftKey)) {
      // Like a spreadsheet: Tab saves and moves to the next cell of the row.
      e.preventDefault();
      const sibling = e.shiftKey ? td.previousElementSibling : td.nextElementSibling;
      commit(true).then((done) => {
        if (done && sibling) (sibling.querySelector(":scope > a, :scope > button") || sibling).focus();
      });
    }
  });
  box.addEventListener("focusout", (e) => {
    if (!box.contains(e.relatedTarget) && td.classList.contains("editing") && !saving) commit(false);
  });
  ed.control.focus();
  const text = ed.control.tagName === "TEXTAREA" || (ed.control.tagName === "INPUT" && ed.control.type === "text");
  if (text) {
    // Typing on a cell replaces its value (as in a spreadsheet); Enter or F2 keeps it, caret at the end.
    if (typed !== undefined) ed.control.value = typed;
    ed.control.setSelectionRange(ed.control.value.length, ed.control.value.length);
  }
}
