// The records grid: a table with sortable headers, cells edited in place, a draft row for a new
// record, and arrow-key navigation between cells (one tab stop for the whole body).

import * as api from "../api.js";
import { editor } from "../fields/types.js";
import { clear, h, icon, toast } from "../ui.js";
import { editCell, errorSlot, messagesFor, showDisplay } from "./cells.js";

const SORT_WORDS = { asc: "ascending", desc: "descending" };

/**
 * createGrid({schema, columns, order, onSort, onDelete, onCreated, canWrite})
 * order is {field, dir} or null; onSort(field) asks the screen to re-sort.
 */
export function createGrid(opts) {
  const { schema, columns, canWrite } = opts;
  const tbody = h("tbody");
  const head = h("tr",
    h("th.narrow", { scope: "col" }, h("span.visually-hidden", "Open")),
    columns.map((f) => sortHeader(f, opts)),
    h("th.narrow", { scope: "col" }, h("span.visually-hidden", "Actions")));
  const table = h("table.table.grid", { role: "grid", "aria-label": schema.object.plural_label || schema.object.label,
    "aria-readonly": canWrite ? undefined : "true" }, h("thead", head), tbody);
  tbody.addEventListener("keydown", (e) => navigate(e, tbody));
  tbody.addEventListener("focusin", (e) => rove(tbody, e.target));

  function row(record) {
    const tr = h("tr", { dataset: { id: record.id } });
    const name = record.primary_value || "(no name)";
    tr.append(h("td.narrow", h("a.open", { href: `#/records/${record.id}`, tabindex: "-1", "aria-label": `Open ${name}`, title: "Open record" }, icon("open"))));
    for (const f of columns) tr.append(cell(tr, record, f));
    tr.append(h("td.narrow", canWrite ? h("button.icon.danger-text", { type: "button", tabindex: "-1",
      "aria-label": `Delete ${name}`, title: "Move to trash", onclick: () => opts.onDelete(record, tr) }, icon("trash")) : null));
    return tr;
  }

  function cell(tr, record, f) {
    const td = h("td", { tabindex: "-1", dataset: { field: f.name } });
    showDisplay(td, f, record.data[f.name]);
    const editable = canWrite && !f.is_readonly;
    if (!editable) {
      td.setAttribute("aria-readonly", "true");
      return td;
    }
    const start = (typed) => editCell(td, {
      field: f,
      value: tr.record.data[f.name],
      save: (value) => saveValue(tr, f, value),
      done: () => {},
      typed,
    });
    td.addEventListener("click", (e) => { if (!td.classList.contains("editing") && !e.target.closest("a")) start(); });
    td.addEventListener("keydown", (e) => {
      if (e.target !== td) return;
      if (e.key === "Enter" || e.key === "F2") {
        e.preventDefault();
        start();
      } else if (e.key.length === 1 && !e.ctrlKey && !e.metaKey && !e.altKey && e.key !== " ") {
        e.preventDefault();
        start(e.key);
      }
    });
    return td;
  }

  async function saveValue(tr, f, value) {
    const record = tr.record;
    try {
      const saved = await api.records.update(record.id, { [f.name]: value }, record.version);
      tr.record = saved;
      return saved.data[f.name];
    } catch (err) {
      if (err.status === 412) {
        const fresh = await api.records.get(record.id);
        const replacement = attach(fresh);
        tr.replaceWith(replacement);
        toast("Someone changed this record meanwhile: it has been reloaded. Enter your change again.", { kind: "error" });
      }
      throw err;
    }
  }

  function attach(record) {
    const tr = row(record);
    tr.record = record;
    return tr;
  }

  function draftRow() {
    if (tbody.querySelector("tr.draft")) {
      tbody.querySelector("tr.draft input, tr.draft select, tr.draft textarea")?.focus();
      return;
    }
    const tr = h("tr.draft");
    const editors = new Map();
    const rowError = h("p.cell-error", { role: "alert" });
    rowError.hidden = true;
    const save = h("button.primary.small", { type: "button" }, "Save");
    const cancel = h("button.small", { type: "button", onclick: () => tr.remove() }, "Cancel");
    tr.append(h("td.narrow", h("span.visually-hidden", "New record")));
    for (const f of columns) {
      if (f.is_readonly) {
        tr.append(h("td.muted", "—"));
        continue;
      }
      const ed = editor(f, f.config?.default, { "aria-label": `${f.label} of the new record` });
      const box = h("div.cell-editor", ed.el);
      editors.set(f.name, { ed, setError: errorSlot(box, ed.control) });
      tr.append(h("td.editing", { dataset: { field: f.name } }, box));
    }
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
        toast(`${schema.object.label} “${created.primary_value || created.id}” created`);
        if (!shown) opts.onCreated?.(created);
        fresh.querySelector("td[data-field]")?.focus();
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
        tr.remove();
        opts.onCancelDraft?.();
      }
    });
    tbody.prepend(tr);
    tr.querySelector("input, select, textarea")?.focus();
  }

  const rowOf = (id) => (id == null ? null : tbody.querySelector(`tr[data-id="${CSS.escape(String(id))}"]`));

  return {
    el: h("div.table-wrap", table),
    ...liveEdits(tbody, attach, rowOf),
    setRows(records) {
      clear(tbody, records.map(attach));
      rove(tbody, null);
    },
    appendRows(records) {
      const first = records.length ? attach(records[0]) : null;
      tbody.append(...(first ? [first] : []), ...records.slice(1).map(attach));
      return first;
    },
    /** Remove a row (false when realtime removed it already); the focus moves to a neighbour. */
    remove(tr) {
      if (!tr.isConnected) return false;
      const next = tr.nextElementSibling || tr.previousElementSibling;
      tr.remove();
      rove(tbody, next?.querySelector("td[data-field]"));
      next?.querySelector("td[data-field]")?.focus();
      return true;
    },
    addDraft: draftRow,
    count: () => tbody.querySelectorAll("tr:not(.draft)").length,
  };
}

// --- other people's changes (realtime): rows replaced, added, removed without moving focus ---

const HIGHLIGHT_MS = 2_000;

function highlight(tr) {
  tr.classList.add("live-changed");
  setTimeout(() => tr.classList.remove("live-changed"), HIGHLIGHT_MS);
}

function liveEdits(tbody, attach, rowOf) {
  const settle = () => rove(tbody, tbody.contains(document.activeElement) ? document.activeElement : null);
  return {
    /** The shown record with this id, or undefined. */
    shown: (id) => rowOf(id)?.record,
    /**
     * A newer version of a shown record: its row redrawn and highlighted. A row with a cell being
     * edited is left as it is: saving that cell meets the 412 and reloads the row with a word.
     */
    patch(record) {
      const tr = rowOf(record.id);
      if (!tr || tr.querySelector("td.editing")) return false;
      const column = tr.contains(document.activeElement) ? document.activeElement.closest("td")?.dataset.field : null;
      const fresh = attach(record);
      tr.replaceWith(fresh);
      highlight(fresh);
      if (column) fresh.querySelector(`td[data-field="${CSS.escape(column)}"]`)?.focus();
      settle();
      return true;
    },
    /** A record someone added, after the row of `previousId` (first, below a draft, when null). */
    insertAfter(record, previousId) {
      if (rowOf(record.id)) return false;
      const tr = attach(record);
      const previous = rowOf(previousId) || tbody.querySelector(":scope > tr.draft");
      if (previous) previous.after(tr);
      else tbody.prepend(tr);
      highlight(tr);
      settle();
      return true;
    },
    /** A record someone deleted; focus moves only if it was in that row. */
    removeId(id) {
      const tr = rowOf(id);
      if (!tr) return false;
      const focused = tr.contains(document.activeElement);
      const next = tr.nextElementSibling || tr.previousElementSibling;
      tr.remove();
      if (focused) next?.querySelector("td[data-field]")?.focus();
      settle();
      return true;
    },
  };
}

function sortHeader(f, { order, onSort }) {
  const dir = order?.field === f.name ? order.dir : null;
  const th = h("th", { scope: "col", "aria-sort": dir ? SORT_WORDS[dir] : "none" });
  const arrow = dir === "asc" ? "▲" : dir === "desc" ? "▼" : "";
  th.append(h("button.sort", { type: "button", title: `Sort by ${f.label}`, onclick: () => onSort(f.name) },
    f.label, f.is_required ? h("span.req", { "aria-hidden": "true" }, " *") : null,
    h("span.arrow", { "aria-hidden": "true" }, arrow)));
  return th;
}

// --- keyboard: one tab stop in the body, arrows move between cells ---------------------------

function focusTarget(td) {
  return td.querySelector(":scope > a, :scope > button") || td;
}

function rove(tbody, target) {
  const cells = [...tbody.querySelectorAll("tr:not(.draft) > td")];
  const current = target?.closest?.("td");
  for (const td of cells) focusTarget(td).tabIndex = -1;
  const chosen = current && cells.includes(current) ? current : cells.find((td) => td.dataset.field) || cells[0];
  if (chosen) focusTarget(chosen).tabIndex = 0;
}

function navigate(e, tbody) {
  const td = e.target.closest("td");
  if (!td || td.classList.contains("editing") || e.target.closest(".cell-editor")) return;
  const tr = td.parentElement;
  const col = [...tr.children].indexOf(td);
  let next = null;
  if (e.key === "ArrowRight") next = td.nextElementSibling;
  else if (e.key === "ArrowLeft") next = td.previousElementSibling;
  else if (e.key === "ArrowDown") next = tr.nextElementSibling?.children[col];
  else if (e.key === "ArrowUp") next = tr.previousElementSibling?.children[col];
  else if (e.key === "Home") next = tr.firstElementChild;
  else if (e.key === "End") next = tr.lastElementChild;
  if (!next) return;
  e.preventDefault();
  const target = focusTarget(next);
  rove(tbody, next);
  target.focus();
}
