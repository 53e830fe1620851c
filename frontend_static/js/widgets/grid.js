// The records grid: a table with sortable, resizable headers, cells edited in place, a draft row
// for a new record, link columns (chips of the linked records), a checkbox per row for actions
// on several at once, and arrow-key navigation between cells (one tab stop for the whole body).
// Rows are one line high (or "tall"); the selection, expand and primary columns stay on the left
// while the rest scrolls sideways.

import * as api from "../api.js";
import { editor } from "../fields/types.js";
import { clear, h, icon, toast } from "../ui.js";
import { editCell, errorSlot, messagesFor, showDisplay } from "./cells.js";
import { DEFAULT_WIDTH, primaryName, resizeHandle } from "./grid_columns.js";
import { editLinks, linkChips, readLinks } from "./grid_links.js";

const SORT_WORDS = { asc: "ascending", desc: "descending" };
const NARROW = 40; // the selection, expand and actions columns
const LINK_WIDTH = 200;
const DRAFT_ACTIONS = 170;

/**
 * createGrid({schema, layout, links, order, onSort, onDelete, onCreated, onLayout, onSelect,
 * expandHref, canWrite}): layout is [{name, width, hidden}] (every field, in order); links the
 * link columns (grid_links.js); order is {field, dir} or null; onSort(field) asks the screen to
 * re-sort; onLayout(layout) keeps a changed layout; onSelect(count) follows the selection.
 */
export function createGrid(opts) {
  const { schema, canWrite } = opts;
  const byName = new Map(schema.fields.map((f) => [f.name, f]));
  const layout = opts.layout;
  const linkCols = opts.links || [];
  const primary = primaryName(schema);
  const linksById = new Map();
  const selected = new Set();
  let anchor = null; // the row a shift-click selects from
  let columns = [];
  let actionsCol = null;
  const tbody = h("tbody");
  const colgroup = h("colgroup");
  const head = h("tr");
  const all = h("input", { type: "checkbox", "aria-label": "Select all rows shown", title: "Select all rows shown" });
  all.addEventListener("change", () => {
    for (const tr of rows()) mark(tr, all.checked);
    selectionChanged();
  });
  const table = h("table.table.grid", { role: "grid", "aria-label": schema.object.plural_label || schema.object.label,
    "aria-readonly": canWrite ? undefined : "true" }, colgroup, h("thead", head), tbody);
  tbody.addEventListener("keydown", (e) => navigate(e, tbody));
  tbody.addEventListener("focusin", (e) => rove(tbody, e.target));
  tbody.addEventListener("click", (e) => {
    const box = e.target.closest("input.row-select");
    if (!box) return;
    const tr = box.closest("tr");
    const list = rows();
    if (e.shiftKey && anchor && anchor.isConnected) {
      const [a, b] = [list.indexOf(anchor), list.indexOf(tr)].sort((x, y) => x - y);
      for (const other of list.slice(a, b + 1)) mark(other, box.checked);
    } else {
      mark(tr, box.checked);
    }
    anchor = tr;
    selectionChanged();
  });

  const rows = () => [...tbody.querySelectorAll(":scope > tr[data-id]")];
  function mark(tr, on) {
    const id = tr.dataset.id;
    if (on) selected.add(id);
    else selected.delete(id);
    tr.classList.toggle("selected", on);
    tr.setAttribute("aria-selected", String(on));
    const box = tr.querySelector("input.row-select");
    if (box) box.checked = on;
  }
  function selectionChanged() {
    for (const id of [...selected]) if (!rowOf(id)) selected.delete(id);
    const shown = rows().length;
    all.checked = shown > 0 && selected.size === shown;
    all.indeterminate = selected.size > 0 && selected.size < shown;
    opts.onSelect?.(selected.size);
  }

  const widthOf = (c) => c.width || (c.name === primary ? DEFAULT_WIDTH + 40 : DEFAULT_WIDTH);

  /** Header, column widths and every row again, for the layout as it is now. */
  function build() {
    columns = layout.filter((c) => !c.hidden && byName.has(c.name)).map((c) => ({ c, f: byName.get(c.name) }));
    actionsCol = h("col.actions-col");
    const cols = [h("col.select-col"), h("col.expand-col"),
      ...columns.map(({ c }) => h("col", { dataset: { field: c.name } })),
      ...linkCols.map((l) => h("col", { dataset: { link: l.key } })), actionsCol];
    clear(colgroup, cols);
    columns.forEach(({ c }, i) => { cols[i + 2].style.width = `${widthOf(c)}px`; });
    linkCols.forEach((l, i) => { cols[columns.length + i + 2].style.width = `${LINK_WIDTH}px`; });
    clear(head,
      h("th.narrow.sticky-select", { scope: "col" }, all),
      h("th.narrow.sticky-expand", { scope: "col" }, h("span.visually-hidden", "Open")),
      columns.map(({ c, f }, i) => sortHeader(f, c, cols[i + 2])),
      linkCols.map((l) => h("th.link-head", { scope: "col", title: `Linked ${l.other.plural_label || l.other.label}` }, l.label)),
      h("th.narrow", { scope: "col" }, h("span.visually-hidden", "Actions")));
    fitWidth();
    const focusedId = tbody.contains(document.activeElement) ? document.activeElement.closest("tr")?.dataset.id : null;
    for (const tr of rows()) tr.replaceWith(attach(tr.record));
    rove(tbody, null);
    if (focusedId) rowOf(focusedId)?.querySelector("td[data-field]")?.focus();
  }

  /** The table as wide as its columns (the actions column widens for a draft's buttons). */
  function fitWidth() {
    const actions = tbody.querySelector(":scope > tr.draft") ? DRAFT_ACTIONS : NARROW;
    actionsCol.style.width = `${actions}px`;
    const total = NARROW * 2 + actions + columns.reduce((sum, { c }) => sum + widthOf(c), 0) + linkCols.length * LINK_WIDTH;
    table.style.width = `${total}px`;
  }

  function sortHeader(f, c, col) {
    const dir = opts.order?.field === f.name ? opts.order.dir : null;
    const th = h(`th${f.name === primary ? ".sticky-primary" : ""}`, { scope: "col", "aria-sort": dir ? SORT_WORDS[dir] : "none",
      dataset: { field: f.name } });
    const arrow = dir === "asc" ? "▲" : dir === "desc" ? "▼" : "";
    th.append(h("button.sort", { type: "button", title: `Sort by ${f.label}`, onclick: () => opts.onSort(f.name) },
      h("span.head-label", f.label), f.is_required ? h("span.req", { "aria-hidden": "true" }, " *") : null,
      h("span.arrow", { "aria-hidden": "true" }, arrow)));
    th.append(resizeHandle(f.label, widthOf(c), {
      resize: (w) => {
        c.width = w;
        col.style.width = `${w}px`;
        fitWidth();
      },
      done: () => opts.onLayout?.(layout),
    }));
    return th;
  }

  function row(record) {
    const tr = h("tr", { dataset: { id: record.id }, "aria-selected": "false" });
    const name = record.primary_value || "(no name)";
    tr.append(h("td.narrow.sticky-select", h("input.row-select", { type: "checkbox", tabindex: "-1", "aria-label": `Select ${name}` })));
    tr.append(h("td.narrow.sticky-expand", h("a.open", { href: opts.expandHref(record), tabindex: "-1", "aria-label": `Open ${name}`, title: "Expand record" }, icon("open"))));
    for (const { f } of columns) tr.append(cell(tr, record, f));
    for (const l of linkCols) tr.append(linkCell(tr, record, l));
    tr.append(h("td.narrow", canWrite ? h("button.icon.danger-text", { type: "button", tabindex: "-1",
      "aria-label": `Delete ${name}`, title: "Move to trash", onclick: () => opts.onDelete(record, tr) }, icon("trash")) : null));
    if (selected.has(String(record.id))) {
      tr.classList.add("selected");
      tr.setAttribute("aria-selected", "true");
      tr.querySelector("input.row-select").checked = true;
    }
    return tr;
  }

  function linkCell(tr, record, l) {
    const td = h("td.link-cell", { tabindex: "-1", dataset: { link: l.key }, "aria-label": l.label });
    const linked = linksById.get(record.id)?.[l.key];
    td.append(linked ? linkChips(linked) : h("span.muted", "…"));
    td.title = (linked || []).map((r) => r.primary_value || "(no name)").join(", ");
    if (!canWrite) {
      td.setAttribute("aria-readonly", "true");
      return td;
    }
    const open = async () => {
      await editLinks({ col: l, record: tr.record });
      await refreshLinks([tr.record.id]).catch(() => {});
      rowOf(tr.record.id)?.querySelector(`td[data-link="${l.key}"]`)?.focus();
    };
    td.addEventListener("click", (e) => { if (!e.target.closest("a")) open(); });
    td.addEventListener("keydown", (e) => {
      if (e.target === td && (e.key === "Enter" || e.key === "F2")) {
        e.preventDefault();
        open();
      }
    });
    return td;
  }

  /** Read the links of these records (one request) and redraw their link cells. */
  async function refreshLinks(ids) {
    if (!linkCols.length || !ids.length) return;
    const found = await readLinks(schema.object.name, linkCols, ids);
    for (const id of ids) {
      linksById.set(id, found.get(id) || Object.fromEntries(linkCols.map((l) => [l.key, []])));
      const tr = rowOf(id);
      if (!tr) continue;
      for (const l of linkCols) {
        const td = tr.querySelector(`td[data-link="${l.key}"]`);
        const fresh = linkCell(tr, tr.record, l);
        fresh.tabIndex = td.tabIndex;
        td.replaceWith(fresh);
      }
    }
  }

  function cell(tr, record, f) {
    const td = h(`td${f.name === primary ? ".sticky-primary" : ""}`, { tabindex: "-1", dataset: { field: f.name } });
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
    const drop = () => {
      tr.remove();
      fitWidth();
      opts.onCancelDraft?.();
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
        if (!shown) opts.onCreated?.(created);
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

  const rowOf = (id) => (id == null ? null : tbody.querySelector(`tr[data-id="${CSS.escape(String(id))}"]`));

  const wrap = h("div.table-wrap.grid-wrap", table);
  build();
  const withLinks = async (records) => {
    await refreshLinks(records.map((r) => r.id)).catch(() => {
      for (const r of records) linksById.delete(r.id);
    });
  };
  return {
    el: wrap,
    ...liveEdits(tbody, attach, rowOf, (id) => refreshLinks([id]).catch(() => {}), selectionChanged),
    /** The layout changed (fields shown, hidden or moved): header and rows drawn again. */
    relayout: build,
    setRows(records) {
      // A draft row opened while the page was read stays.
      clear(tbody, tbody.querySelector(":scope > tr.draft"), records.map(attach));
      rove(tbody, null);
      selectionChanged();
      return withLinks(records);
    },
    async appendRows(records) {
      const first = records.length ? attach(records[0]) : null;
      tbody.append(...(first ? [first] : []), ...records.slice(1).map(attach));
      selectionChanged();
      await withLinks(records);
      return first ? rowOf(records[0].id) : null;
    },
    /** Remove a row (false when realtime removed it already); the focus moves to a neighbour. */
    remove(tr) {
      if (!tr.isConnected) return false;
      const next = tr.nextElementSibling || tr.previousElementSibling;
      tr.remove();
      rove(tbody, next?.querySelector("td[data-field]"));
      next?.querySelector("td[data-field]")?.focus();
      selectionChanged();
      return true;
    },
    /** Rows of these ids removed (after a bulk move to the trash): how many were shown. */
    removeIds(ids) {
      let n = 0;
      for (const id of ids) {
        const tr = rowOf(id);
        if (tr) {
          tr.remove();
          n += 1;
        }
      }
      rove(tbody, null);
      selectionChanged();
      return n;
    },
    selectedIds: () => [...selected],
    clearSelection() {
      for (const tr of rows()) mark(tr, false);
      selectionChanged();
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

function liveEdits(tbody, attach, rowOf, linksOf, selectionChanged) {
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
      linksOf(record.id);
      selectionChanged();
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
      selectionChanged();
      return true;
    },
  };
}

// --- keyboard: one tab stop in the body, arrows move between cells ---------------------------

function focusTarget(td) {
  return td.querySelector(":scope > a, :scope > button, :scope > input") || td;
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
