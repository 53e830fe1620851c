// The records of one object: search, filters, sort, cursor pages, edit in place, create, trash,
// through a saved view if one is chosen (a grid, a kanban board or a month calendar).
// Everything that shapes the list lives in the URL (#/objects/contact?view=vw_…&stage=eq.lead).

import * as api from "../api.js";
import { decode, encode } from "../fields/filters.js";
import { valueField } from "../fields/types.js";
import { watchFor } from "../realtime.js";
import { go, replaceQuery } from "../router.js";
import { canAdmin, canWrite, schema as loadSchema } from "../state.js";
import { clear, emptyState, h, pageHeader, toast, toastError } from "../ui.js";
import { calendar } from "../widgets/calendar.js";
import { exportMenu } from "../widgets/export_menu.js";
import { filterBar } from "../widgets/filterbar.js";
import { createGrid } from "../widgets/grid.js";
import { kanban } from "../widgets/kanban.js";
import { liveGrid } from "../widgets/livegrid.js";
import { withBadge } from "../widgets/object_look.js";
import { viewsBar } from "../widgets/views_bar.js";

const PAGE = 50;
const RESERVED = new Set(["order", "q", "view", "month"]);

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
  const columns = current?.fields?.length
    ? current.fields.filter((c) => !c.hidden).map((c) => fieldsByName.get(c.name)).filter(Boolean)
    : s.fields.filter((f) => f.is_visible);
  const state = { ...readQuery(query, fieldsByName), view: current?.id };
  const writer = canWrite();
  const title = s.object.plural_label || s.object.label;
  const bar = viewsBar({
    schema: s, views, current,
    open: (id) => go(`/objects/${s.object.name}`, new URLSearchParams(id ? { view: id } : {})),
    grid: () => ({ filterPairs: state.filters.map(encode), order: state.order ? `${state.order.field}.${state.order.dir}` : "", columns }),
  });
  const header = withBadge(s.object, pageHeader(title,
    h("a.button", { href: `#/objects/${s.object.name}/trash` }, "Trash"),
    exportMenu(s.object.name, () => writeQuery(state)),
    writer ? h("a.button", { href: `#/objects/${s.object.name}/import` }, "Import") : null,
    canAdmin() ? h("a.button", { href: `#/objects/${s.object.name}/build` }, "Fields & settings") : null,
    writer && s.fields.length && current?.type !== "kanban" && current?.type !== "calendar"
      ? h("button.primary", { type: "button", onclick: () => grid.addDraft() }, `New ${s.object.label.toLowerCase()}`) : null));
  if (current && current.type !== "grid") return renderLayout(view, { s, current, header, bar, month: query.get("month") });
  let cursor = null;

  const status = h("p.result-count", { "aria-live": "polite" });
  const more = h("button", { type: "button" }, "Load more");
  more.hidden = true;
  const problem = h("div");
  const reload = () => render(view, { params, query: writeQuery(state) });
  const grid = createGrid({
    schema: s, columns, order: state.order, canWrite: writer,
    onSort: (name) => {
      const dir = state.order?.field === name ? (state.order.dir === "asc" ? "desc" : null) : "asc";
      state.order = dir ? { field: name, dir } : null;
      replaceQuery(writeQuery(state));
      reload().then(() => view.querySelector(`th button.sort[title="Sort by ${CSS.escape(fieldsByName.get(name).label)}"]`)?.focus());
    },
    onDelete: (record, tr) => remove(record, tr, grid, reload).then((gone) => gone && showCount(-1)),
    onCreated: () => showCount(1),
  });

  function pageQuery(first) {
    const q = writeQuery(state);
    q.set("limit", String(PAGE));
    if (first) q.set("count", "exact");
    else q.set("cursor", cursor);
    return q;
  }

  async function load(first) {
    let page;
    try {
      page = await api.records.list(s.object.name, pageQuery(first));
      clear(problem);
    } catch (err) {
      toastError(err, (f) => fieldsByName.get(f)?.label || f);
      clear(problem, h("div.alert.error", { role: "alert" }, h("p", `The records could not be loaded: ${err.message}`),
        (err.details || []).length ? h("ul", err.details.map((d) => h("li", `${fieldsByName.get(d.field)?.label || d.field || ""} ${d.message}`))) : null));
      return;
    }
    if (first) grid.setRows(page.items);
    else grid.appendRows(page.items)?.querySelector("td[data-field]")?.focus();
    cursor = page.next_cursor;
    more.hidden = !cursor;
    if (first && typeof page.total === "number") status.dataset.total = String(page.total);
    showCount(0);
  }

  function showCount(delta) {
    if (status.dataset.total !== undefined) status.dataset.total = String(Number(status.dataset.total) + delta);
    const total = status.dataset.total;
    const shown = grid.count();
    status.textContent = total !== undefined
      ? `${total} ${Number(total) === 1 ? "record" : "records"}${shown < Number(total) ? ` · showing ${shown}` : ""}`
      : `${shown} shown`;
  }
  more.addEventListener("click", () => load(false));

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
    bar, h("div.toolbar", searchForm, filters?.toggle, status),
    filters?.panel, problem,
    columns.length ? grid.el : s.fields.length ? h("p.muted", "No field is visible in the grid; turn “Visible” on in Fields & settings.") : null,
    h("div.more", more),
    writer ? h("p.hint", "Click a cell, press Enter or just type to edit it. Enter saves, Tab saves and moves on, Escape cancels; arrow keys move between cells.") : null);
  await load(true);
  return liveGrid(view, {
    object: s.object.name, grid,
    firstPage: () => api.records.list(s.object.name, pageQuery(true)),
    counted: (total) => {
      if (typeof total === "number") status.dataset.total = String(total);
      showCount(typeof total === "number" ? 0 : total.delta);
    },
  });
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
  return watchFor(view, s.object.name, (change) => body.follow(change));
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
