// The records grid: a table with sortable, resizable headers, cells edited in place, a draft row
// for a new record, link columns (chips of the linked records), a checkbox per row for actions
// on several at once, and arrow-key navigation between cells (one tab stop for the whole body).
// Rows are one line high (or "tall"); the selection, expand and primary columns stay on the left
// while the rest scrolls sideways.

import * as api from "../api.js";
import { clear, h, icon, toast } from "../ui.js";
import { editCell, showDisplay } from "./cells.js";
import { DEFAULT_WIDTH, dragToMove, primaryName, resizeHandle } from "./grid_columns.js";
import { openDraft } from "./grid_draft.js";
import { navigate, rove } from "./grid_keys.js";
import { editLinks, linkChips, readLinks } from "./grid_links.js";
import { liveEdits } from "./grid_live.js";
import { rowSelection } from "./grid_select.js";

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
  let columns = [];
  let actionsCol = null;
  const tbody = h("tbody");
  const colgroup = h("colgroup");
  const head = h("tr");
  const table = h("table.table.grid", { role: "grid", "aria-label": schema.object.plural_label || schema.object.label,
    "aria-readonly": canWrite ? undefined : "true" }, colgroup, h("thead", head), tbody);
  tbody.addEventListener("keydown", (e) => navigate(e, tbody));
  tbody.addEventListener("focusin", (e) => rove(tbody, e.target));
  const selection = rowSelection(tbody, opts.onSelect);
  const selectionChanged = selection.changed;

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
      h("th.narrow.sticky-select", { scope: "col" }, selection.all),
      h("th.narrow.sticky-expand", { scope: "col" }, h("span.visually-hidden", "Open")),
      columns.map(({ c, f }, i) => sortHeader(f, c, cols[i + 2])),
      linkCols.map((l) => h("th.link-head", { scope: "col", title: `Linked ${l.other.plural_label || l.other.label}` }, l.label)),
      h("th.narrow", { scope: "col" }, h("span.visually-hidden", "Actions")));
    fitWidth();
    const focusedId = tbody.contains(document.activeElement) ? document.activeElement.closest("tr")?.dataset.id : null;
    for (const tr of tbody.querySelectorAll(":scope > tr[data-id]")) tr.replaceWith(attach(tr.record));
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
    if (f.name !== primary) {
      dragToMove(th, f.name, layout, () => {
        build();
        opts.onLayout?.(layout);
      });
    }
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
    if (selection.has(record.id)) selection.mark(tr, true);
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
    openDraft({ tbody, schema, columns, linkCols, primary, attach, rowOf, fitWidth, refreshLinks,
      onCreated: opts.onCreated, onCancelDraft: opts.onCancelDraft });
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
    selectedIds: selection.ids,
    clearSelection: selection.clear,
    addDraft: draftRow,
    count: () => tbody.querySelectorAll("tr:not(.draft)").length,
  };
}
