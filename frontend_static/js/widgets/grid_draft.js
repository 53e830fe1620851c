// The grid's row for a new record: an editor per column, Save (or Enter) creates the record and
// puts it in the row's place; the server's problems are shown under the fields they are about.

import * as api from "../api.js";
import { editor } from "../fields/types.js";
import { h, toast } from "../ui.js";
import { errorSlot, messagesFor } from "./cells.js";

/**
 * openDraft({tbody, schema, columns, linkCols, primary, attach, rowOf, fitWidth, refreshLinks,
 * onCreated, onCancelDraft}) puts the draft row at the top (or focuses the one there).
 */
export function openDraft(ctx) {
  const { tbody, schema, columns, linkCols, primary, attach, rowOf, fitWidth, refreshLinks } = ctx;
  if (tbody.querySelector("tr.draft")) {
    tbody.querySelector("tr.draft input, tr.draft select, tr.draft textarea")?.focus();
    return;
  }
  const tr = h("tr.draft");
  const editors = new Map();
  const rowError = h("p.cell-error", { role: "alert" });
  rowError.hidden = true;
  const save = h("button.primary.small", { type: "button" }, "Save");
  const drop = () => {
    tr.remove();
    fitWidth();
    ctx.onCancelDraft?.();
  };
  const cancel = h("button.small", { type: "button", onclick: drop }, "Cancel");
  tr.append(h("td.narrow.sticky-select"), h("td.narrow.sticky-expand", h("span.visually-hidden", "New record")));
  for (const { f } of columns) {
    if (f.is_readonly) {
      tr.append(h("td.muted", "—"));
      continue;
    }
    const ed = editor(f, f.config?.default, { "aria-label": `${f.label} of the new record` });
    const box = h("div.cell-editor", ed.el);
    editors.set(f.name, { ed, setError: errorSlot(box, ed.control) });
    tr.append(h(`td.editing${f.name === primary ? ".sticky-primary" : ""}`, { dataset: { field: f.name } }, box));
  }
  for (const l of linkCols) tr.append(h("td.muted", { dataset: { link: l.key } }, "—"));
  tr.append(h("td.narrow.draft-actions", save, cancel, rowError));
  const submit = async () => {
    const data = {};
    let local = false;
    for (const [name, { ed, setError }] of editors) {
      setError(null);
      try {
        const v = ed.read();
        if (v !== null) data[name] = v;
      } catch (err) {
        setError(messagesFor(err, name));
        local = true;
      }
    }
    if (local) return;
    rowError.hidden = true;
    save.disabled = true;
    try {
      const created = await api.records.create(schema.object.id, data);
      const shown = rowOf(created.id); // realtime may have placed (and counted) it already
      shown?.remove();
      const fresh = attach(created);
      tr.replaceWith(fresh);
      fitWidth();
      toast(`${schema.object.label} “${created.primary_value || created.id}” created`);
      if (!shown) ctx.onCreated?.(created);
      fresh.querySelector("td[data-field]")?.focus();
      refreshLinks([created.id]).catch(() => {});
    } catch (err) {
      const placed = new Set();
      for (const [name, { setError }] of editors) {
        const mine = (err.details || []).filter((d) => d.field === name || String(d.field).startsWith(name + "."));
        if (mine.length) {
          setError(mine.map((d) => d.message));
          mine.forEach((d) => placed.add(d));
        }
      }
      const rest = (err.details || []).filter((d) => !placed.has(d));
      if (rest.length || !placed.size) {
        rowError.hidden = false;
        rowError.textContent = [err.message, ...rest.map((d) => `${d.field}: ${d.message}`)].join(" — ");
      }
      tr.querySelector("[aria-invalid=true]")?.focus();
    } finally {
      save.disabled = false;
    }
  };
  save.addEventListener("click", submit);
  tr.addEventListener("keydown", (e) => {
    e.stopPropagation();
    if (e.key === "Enter" && e.target.tagName !== "TEXTAREA" && e.target.tagName !== "BUTTON") {
      e.preventDefault();
      submit();
    } else if (e.key === "Escape") {
      drop();
    }
  });
  tbody.prepend(tr);
  fitWidth();
  tr.querySelector("input, select, textarea")?.focus();
}
