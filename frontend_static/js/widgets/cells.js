// Editing one grid cell in place: Enter or leaving the cell saves, Escape cancels; the server's
// problems with this field's value are shown in the cell until the value is fixed.

import { display, editor, LocalError } from "../fields/types.js";
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
  clear(td, h("span.cell-value", display(field, value, { links: false })));
  td.title = "";
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
