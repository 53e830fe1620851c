// The records of one object: search, filters, sort, cursor pages (more as you scroll), edit in
// place, create, trash (one or many at once), through a saved view if one is chosen (a grid, a
// kanban board or a month calendar). Everything that shapes the list lives in the URL
// (#/objects/contact?view=vw_…&stage=eq.lead); the grid's columns live in the view.

import * as api from "../api.js";
import { decode, encode } from "../fields/filters.js";
import { valueField } from "../fields/types.js";
import { watchFor } from "../realtime.js";
import { go, replaceQuery } from "../router.js";
import { canAdmin, canWrite, objects, schema as loadSchema } from "../state.js";
import { clear, emptyState, h, pageHeader, toast, toastError } from "../ui.js";
import { calendar } from "../widgets/calendar.js";
import { exportMenu } from "../widgets/export_menu.js";
import { filterBar } from "../widgets/filterbar.js";
import { createGrid } from "../widgets/grid.js";
import { bulkBar } from "../widgets/grid_bulk.js";
import { fieldsMenu, initialLayout, layoutSaver, viewFields } from "../widgets/grid_columns.js";
import { rowHeightToggle, showEmptyState } from "../widgets/grid_extras.js";
import { linkColumns } from "../widgets/grid_links.js";
import { kanban } from "../widgets/kanban.js";
import { liveGrid } from "../widgets/livegrid.js";
import { panelFromQuery } from "../widgets/record_panel.js";
import { withBadge } from "../widgets/object_look.js";
import { viewsBar } from "../widgets/views_bar.js";

const PAGE = 50;
const RESERVED = new Set(["order", "q", "view", "month", "record"]);

function readQuery(query, fieldsByName) {
  const [field, dir] = (query.get("order") || "").split(".");
  const order = field && fieldsByName.has(field) ? { field, dir: dir === "desc" ? "desc" : "asc" } : null;
  const filters = [];
  for (const [name, raw] of query) {
    if (RESERVED.has(name)) continue;
    const f = decode(name, raw, fieldsByName);
    if (f) filters.push(f);
  }
  return { order, filters, q: query.get("q") || "" };
}

function writeQuery({ order, filters, q, view }) {
  const query = new URLSearchParams();
  if (view) query.set("view", view);
  if (q) query.set("q", q);
  if (order) query.set("order", `${order.field}.${order.dir}`);
  for (const f of filters) query.append(...encode(f));
  return query;
}

export async function render(view, { params, query }) {
  const s = await loadSchema(params.name);
  const fieldsByName = new Map(s.fields.map((f) => [f.name, f]));
  const views = (await api.views.list(s.object.name)).items;
  const current = views.find((v) => v.id === query.get("view")) || null;
  if (query.get("view") && !current) toast("That view is not there any more: showing all records.", { kind: "error" });
  // A view's columns (in its order, without the hidden ones), else the fields marked visible.
  const layout = initialLayout(s, current);
  const shownColumns = () => viewFields(layout).filter((c) => !c.hidden);
  const columns = shownColumns();
  const state = { ...readQuery(query, fieldsByName), view: current?.id };
  const writer = canWrite();
  const title = s.object.plural_label || s.object.label;
  const bar = viewsBar({
    schema: s, views, current,
    open: (id) => go(`/objects/${s.object.name}`, new URLSearchParams(id ? { view: id } : {})),
    grid: () => ({ filterPairs: state.filters.map(encode), order: state.order ? `${state.order.field}.${state.order.dir}` : "", columns: shownColumns() }),
  });
  // "New …" opens the record form in the side panel; "Add row" types a row straight into the grid.
  const openNew = () => go(`/objects/${s.object.name}`, new URLSearchParams([...writeQuery(state), ["record", "new"]]));
  const newButton = writer && s.fields.length ? h("button.primary", { type: "button", onclick: openNew }, `New ${s.object.label.toLowerCase()}`) : null;
  const addRow = writer && s.fields.length ? h("button.ghost", { type: "button", onclick: () => newRecord() }, "Add row") : null;
  const header = withBadge(s.object, pageHeader(title,
    h("a.button", { href: `#/objects/${s.object.name}/trash` }, "Trash"),
    exportMenu(s.object.name, () => writeQuery(state)),
    writer ? h("a.button", { href: `#/objects/${s.object.name}/import` }, "Import") : null,
    canAdmin() ? h("a.button", { href: `#/objects/${s.object.name}/build` }, "Fields & settings") : null,
    newButton));
  if (current && current.type !== "grid") {
    const stop = await renderLayout(view, { s, current, header, bar, month: query.get("month") });
    const panel = panelFromQuery(view, s, query, () => {}); // the board follows the change itself
    return () => { stop?.(); panel?.destroy(); };
  }
  let cursor = null;
  let counting = false; // the person asked for the count of every matching record
  let loading = false;

  const status = h("p.result-count", { "aria-live": "polite" });
  const countAll = h("button.small.ghost", { type: "button" }, "Count all");
  countAll.hidden = true;
  const more = h("button", { type: "button" }, "Load more");
  more.hidden = true;
  const problem = h("div");
  const empty = h("div.grid-empty");
  const reload = () => render(view, { params, query: writeQuery(state) });
  const filtered = () => Boolean(state.q || state.filters.length || current?.filter);
  const links = linkColumns(s, await objects().catch(() => []));
  const menu = fieldsMenu({ schema: s, layout, onChange: () => { grid.relayout(); saveLayout(layout); } });
  const saveLayout = layoutSaver({ schema: s, view: current, said: menu.say });
  const bulk = bulkBar({
    schema: s,
    selected: () => grid.selectedIds(),
    onTrashed: (ids) => showCount(-grid.removeIds(ids)),
    onUpdated: async (ids) => {
      const q = new URLSearchParams({ id: `in.(${ids.join(",")})`, limit: String(ids.length) });
      const fresh = await api.records.list(s.object.name, q).catch(toastError);
      for (const record of fresh?.items || []) grid.patch(record);
    },
    clearSelection: () => grid.clearSelection(),
  });
  const grid = createGrid({
    schema: s, layout, links, order: state.order, canWrite: writer,
    expandHref: (record) => `#/objects/${s.object.name}?record=${encodeURIComponent(record.id)}`,
    onSort: (name) => {
      const dir = state.order?.field === name ? (state.order.dir === "asc" ? "desc" : null) : "asc";
      state.order = dir ? { field: name, dir } : null;
      replaceQuery(writeQuery(state));
      reload().then(() => view.querySelector(`th button.sort[title="Sort by ${CSS.escape(fieldsByName.get(name).label)}"]`)?.focus());
    },
    onDelete: (record, tr) => remove(record, tr, grid, reload).then((gone) => gone && showCount(-1)),
    onCreated: () => showCount(1),
    onCancelDraft: () => showEmpty(grid.count()),
    onLayout: (changed) => saveLayout(changed),
    onSelect: (n) => bulk.update(n),
  });

  /** The new record's row at the top of the grid (its side panel once there is one). */
  const newRecord = () => showEmpty(grid.addDraft() ?? grid.count());

  function pageQuery(first) {
    const q = writeQuery(state);
    q.set("limit", String(PAGE));
    if (first && counting) q.set("count", "exact");
    else if (!first) q.set("cursor", cursor);
    return q;
  }

  async function load(first, { focus = false } = {}) {
    if (loading) return;
    loading = true;
    let page;
    try {
      page = await api.records.list(s.object.name, pageQuery(first));
      clear(problem);
    } catch (err) {
      toastError(err, (f) => fieldsByName.get(f)?.label || f);
      clear(problem, h("div.alert.error", { role: "alert" }, h("p", `The records could not be loaded: ${err.message}`),
        (err.details || []).length ? h("ul", err.details.map((d) => h("li", `${fieldsByName.get(d.field)?.label || d.field || ""} ${d.message}`))) : null));
      return;
    } finally {
      loading = false;
    }
    cursor = page.next_cursor;
    more.hidden = !cursor;
    if (first) delete status.dataset.total;
    if (first && typeof page.total === "number") status.dataset.total = String(page.total);
    const shown = first ? grid.setRows(page.items) : grid.appendRows(page.items);
    showCount(0);
    const firstNew = await shown;
    if (focus) firstNew?.querySelector("td[data-field]")?.focus();
    if (watcher && cursor) {
      // Observing again reports whether the end is still in view (a short page on a tall screen).
      watcher.unobserve(sentinel);
      watcher.observe(sentinel);
    }
  }

  /** "12 records" when every match is shown or counted, else "50 shown" and a way to count. */
  function showCount(delta) {
    if (status.dataset.total !== undefined) status.dataset.total = String(Number(status.dataset.total) + delta);
    const shown = grid.count();
    const total = status.dataset.total !== undefined ? Number(status.dataset.total) : cursor ? null : shown;
    status.textContent = total !== null
      ? `${total} ${total === 1 ? "record" : "records"}${shown < total ? ` · showing ${shown}` : ""}`
      : `${shown} shown · more below`;
    countAll.hidden = total !== null;
    showEmpty(shown);
  }

  function showEmpty(shown) {
    empty.hidden = shown > 0 || Boolean(grid.el.querySelector("tr.draft")) || !columns.length;
    if (empty.hidden) return;
    showEmptyState(empty, { schema: s, filtered: filtered(), writer, onNew: newRecord, onClearFilters: () => {
      if (!state.filters.length && !state.q) return go(`/objects/${s.object.name}`); // the view's own filter: all records
      state.filters = [];
      state.q = "";
      replaceQuery(writeQuery(state));
      reload();
    } });
  }
  more.addEventListener("click", () => load(false, { focus: true }));
  countAll.addEventListener("click", () => {
    counting = true;
    api.records.list(s.object.name, new URLSearchParams([...writeQuery(state), ["limit", "1"], ["count", "exact"]]))
      .then((page) => {
        status.dataset.total = String(page.total);
        showCount(0);
      }, toastError);
  });
  // Infinite scroll: the next page is read when the end of the list comes into view.
  const sentinel = h("div.more", more);
  const watcher = "IntersectionObserver" in window ? new IntersectionObserver((entries) => {
    if (entries.some((e) => e.isIntersecting) && cursor && !loading) load(false);
  }, { rootMargin: "400px 0px" }) : null;
  watcher?.observe(sentinel);

  const search = h("input", { type: "search", id: "record-search", value: state.q, placeholder: `Search ${title.toLowerCase()}…`,
    "aria-describedby": "record-search-hint" });
  const searchForm = h("form.search", { role: "search", novalidate: true },
    h("label.visually-hidden", { for: "record-search" }, `Search ${title}`), search,
    h("span.visually-hidden", { id: "record-search-hint" }, "Searches the primary field; press Enter"));
  searchForm.addEventListener("submit", (e) => {
    e.preventDefault();
    state.q = search.value.trim();
    replaceQuery(writeQuery(state));
    load(true);
  });
  let timer = null;
  search.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => searchForm.requestSubmit(), 300);
  });

  const filters = filterBar(s.fields, state.filters, (list) => {
    state.filters = list;
    replaceQuery(writeQuery(state));
    reload().then(() => view.querySelector(".filter-panel button[type=submit], .filter-panel + *")?.focus());
  });

  clear(view, header,
    s.fields.length ? null : emptyState(`${s.object.label} has no fields yet, so it cannot hold records.`,
      canAdmin() ? h("a.button.primary", { href: `#/objects/${s.object.name}/build` }, "Add fields") : null),
    bar, h("div.toolbar", searchForm, filters?.toggle, h("div.grid-tools", addRow, menu.button, rowHeightToggle(grid.el, current?.id || s.object.name)), status, countAll),
    menu.panel, filters?.panel, problem, bulk.el,
    columns.length ? grid.el : s.fields.length ? h("p.muted", "No field is visible in the grid; turn “Visible” on in Fields & settings.") : null,
    empty, sentinel,
    writer ? h("p.hint", "Click a cell, press Enter or just type to edit it. Enter saves, Tab saves and moves on, Escape cancels; arrow keys move between cells.") : null);
  await load(true);
  const panel = panelFromQuery(view, s, query, (record, { created }) => {
    if (!created) grid.patch(record);
    else if (grid.insertAfter(record, null)) showCount(1);
  });
  const stopLive = liveGrid(view, {
    object: s.object.name, grid,
    firstPage: () => api.records.list(s.object.name, pageQuery(true)),
    counted: (total) => {
      if (typeof total === "number") status.dataset.total = String(total);
      showCount(typeof total === "number" ? 0 : total.delta);
    },
  });
  return () => { watcher?.disconnect(); stopLive?.(); panel?.destroy(); };
}

/** A kanban board or a calendar: the view's records (its filter, up to a page of 1,000),
 * following other people's changes; returns what stops that. */
async function renderLayout(view, { s, current, header, bar, month }) {
  const name = current.type === "kanban" ? current.group_by : current.date_field;
  const field = s.fields.find((f) => f.name === name);
  const base = new URLSearchParams({ view: current.id, limit: "1000" });
  let body;
  if (!field) {
    clear(view, header, bar, h("div.alert.error", { role: "alert" },
      h("p", `This view's field “${name}” is not on ${s.object.label} any more: edit the view.`)));
    return null;
  }
  if (current.type === "kanban") {
    const reload = async () => (await api.records.list(s.object.name, base)).items;
    body = kanban({ schema: s, field, records: await reload(), canWrite: canWrite(), reload });
  } else {
    const at = valueField(field).type === "datetime" ? "T00:00:00Z" : "";
    body = calendar({
      field, month,
      onMonth: (key) => replaceQuery(new URLSearchParams({ view: current.id, month: key })),
      load: async (from, to) => {
        const q = new URLSearchParams(base);
        q.append(field.name, `gte.${from}${at}`);
        q.append(field.name, `lt.${to}${at}`);
        return (await api.records.list(s.object.name, q)).items;
      },
    });
    await body.ready;
  }
  clear(view, header, bar, body);
  return watchFor(view, s.object.name, (change) => body.follow(change), () => body.follow({}));
}

async function remove(record, tr, grid, reload) {
  try {
    await api.records.moveToTrash(record.id);
    const counted = grid.remove(tr); // else realtime removed and counted it already
    toast(`“${record.primary_value || record.id}” moved to the trash`, {
      action: { label: "Undo", run: () => api.records.restore(record.id).then(reload).catch(toastError) },
    });
    return counted;
  } catch (err) {
    toastError(err);
    return false;
  }
}
