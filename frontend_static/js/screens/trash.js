// The trash of an object, as the server keeps it (GET /api/records?trash=only): newest first, a
// page at a time, whoever deleted the records and wherever. Restore, or delete for good.

import * as api from "../api.js";
import { replaceQuery } from "../router.js";
import { actorName, canWrite, objects, objectTitle, people, schema as loadSchema } from "../state.js";
import {
  busy, clear, confirmDialog, emptyState, fmtDateTime, h, icon, pageHeader, refocus, toast, toastError,
} from "../ui.js";

const PAGE = 50;
// Moving a record to the trash stamps updated_at and updated_by in the statement that sets
// deleted_at, and a trashed record cannot be written: so they say when and by whom it was deleted.
const NEWEST_FIRST = "updated_at.desc";

// Renders of one view start in the order they are asked for (a restore's reload, then a
// search) but finish in any order: only the last one asked for draws.
const asked = new WeakMap();
function lastAsked(view) {
  const n = (asked.get(view) || 0) + 1;
  asked.set(view, n);
  return () => asked.get(view) === n;
}

export async function render(view, { params, query }) {
  const current = lastAsked(view);
  const s = await loadSchema(params.name);
  const title = objectTitle(s.object);
  const q = query?.get("q") || "";
  const page = (cursor) => api.records.listTrash(s.object.name,
    { order: NEWEST_FIRST, limit: PAGE, q, ...(cursor ? { cursor } : { count: "exact" }) });
  const [first, names] = await Promise.all([page(null), people()]);
  if (!current()) return;
  const reload = () => render(view, { params, query }).then(() => refocus(view));
  const ctx = { writer: canWrite(), names, reload };
  const search = h("input", { type: "search", name: "q", value: q, id: "trash-q", placeholder: `Search by ${s.fields.find((f) => f.id === s.object.primary_field_id)?.label || "name"}` });
  const form = h("form.toolbar", { role: "search" }, h("label", { for: "trash-q" }, "Search the trash "), search,
    h("button", { type: "submit" }, "Search"));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const next = new URLSearchParams(search.value.trim() ? { q: search.value.trim() } : {});
    replaceQuery(next);
    render(view, { params, query: next }).then(() => view.querySelector("#trash-q")?.focus()).catch(toastError);
  });
  clear(view,
    h("nav.crumbs", { "aria-label": "Breadcrumb" }, h("a", { href: "#/objects" }, "Objects"), " / ",
      h("a", { href: `#/objects/${s.object.name}` }, title)),
    pageHeader(`Trash: ${title}`, h("a.button", { href: "#/trash" }, "All deleted records"),
      h("a.button", { href: `#/objects/${s.object.name}` }, `Back to ${title.toLowerCase()}`)),
    h("p.lead", "Records in the trash, the most recently deleted first. Restoring a record brings back its links, " +
      "and the records deleted together with it."),
    form,
    first.items.length ? table(title, first, page, ctx)
      : emptyState(q ? `Nothing in the trash matches “${q}”.` : `No ${title.toLowerCase()} in the trash.`));
}

/** #/trash: every object's trash on one page, a section per object that has records in it. */
export async function renderAll(view) {
  const current = lastAsked(view);
  const [list, names] = await Promise.all([objects(true), people()]);
  const pages = list.map((o) => (cursor) => api.records.listTrash(o.name,
    { order: NEWEST_FIRST, limit: PAGE, ...(cursor ? { cursor } : { count: "exact" }) }));
  const firsts = await Promise.all(pages.map((page) => page(null)));
  if (!current()) return;
  const reload = () => renderAll(view).then(() => refocus(view));
  const ctx = { writer: canWrite(), names, reload };
  const sections = list.map((o, i) => (firsts[i].items.length
    ? h("section.card.trash-object", { "aria-labelledby": `trash-${o.name}` },
      h("div.card-head", h("h2", { id: `trash-${o.name}` }, objectTitle(o)),
        h("a.button.small", { href: `#/objects/${o.name}/trash` }, `Search the trash of ${objectTitle(o).toLowerCase()}`)),
      table(objectTitle(o), firsts[i], pages[i], ctx))
    : null)).filter(Boolean);
  clear(view,
    pageHeader("Trash"),
    h("p.lead", "Records deleted from any object, by anyone, in this browser or through the API; the most recently " +
      "deleted first. Restore them, or delete them for good."),
    sections.length ? sections : emptyState("The trash is empty."));
}

/** The first page's rows, its count, and "Load more" for the pages after it. */
function table(title, first, page, ctx) {
  const tbody = h("tbody", first.items.map((r) => row(r, ctx)));
  const more = h("button", { type: "button" }, "Load more");
  let cursor = first.next_cursor;
  more.hidden = !cursor;
  more.addEventListener("click", () => busy(more, async () => {
    const next = await page(cursor);
    const rows = next.items.map((r) => row(r, ctx));
    tbody.append(...rows);
    cursor = next.next_cursor;
    more.hidden = !cursor;
    rows[0]?.querySelector("button")?.focus();
  }).catch(toastError));
  return [
    h("p.result-count", `${first.total} ${first.total === 1 ? "record" : "records"} in the trash`),
    h("div.table-wrap", h("table.table",
      h("caption.visually-hidden", `${title} in the trash`),
      h("thead", h("tr", h("th", { scope: "col" }, "Record"), h("th", { scope: "col" }, "Deleted"),
        h("th", { scope: "col" }, h("span.visually-hidden", "Actions")))),
      tbody)),
    h("div.more", more),
  ];
}

function row(record, { writer, names, reload }) {
  const name = record.primary_value || record.id;
  return h("tr", { dataset: { id: record.id } },
    h("th", { scope: "row" }, record.primary_value || h("span.muted", "(no name)"), h("div.sub", h("code", record.id))),
    h("td", fmtDateTime(record.updated_at),
      record.updated_by ? h("div.sub", `by ${actorName(record.updated_by, names)}`) : null),
    h("td.row-actions", writer ? [
      h("button.small", { type: "button", "aria-label": `Restore ${name}`, onclick: (ev) => busy(ev.currentTarget, async () => {
        await api.records.restore(record.id);
        toast(`“${name}” restored`);
        await reload();
      }).catch(toastError) }, icon("restore"), " Restore"),
      h("button.small.danger-text", { type: "button", "aria-label": `Delete ${name} forever`, onclick: () => purge(record, reload) },
        "Delete forever"),
    ] : null));
}

async function purge(record, reload) {
  const name = record.primary_value || record.id;
  const ok = await confirmDialog(`Delete “${name}” forever?`,
    "The record, its links and its history are removed for good.", { confirmLabel: "Delete forever", danger: true });
  if (!ok) return;
  try {
    await api.records.purge(record.id);
    toast("Deleted for good");
    await reload();
  } catch (err) {
    toastError(err);
  }
}
