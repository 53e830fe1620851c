// The trash of an object, as the server keeps it (GET /api/records?trash=only): newest first, a
// page at a time, whoever deleted the records and wherever. Restore, or delete for good.

import * as api from "../api.js";
import { actorName, canWrite, objectTitle, people, schema as loadSchema } from "../state.js";
import {
  busy, clear, confirmDialog, emptyState, fmtDateTime, h, icon, pageHeader, refocus, toast, toastError,
} from "../ui.js";

const PAGE = 50;
// Moving a record to the trash stamps updated_at and updated_by in the statement that sets
// deleted_at, and a trashed record cannot be written: so they say when and by whom it was deleted.
const NEWEST_FIRST = "updated_at.desc";

export async function render(view, { params }) {
  const s = await loadSchema(params.name);
  const title = objectTitle(s.object);
  const page = (cursor) => api.records.listTrash(s.object.name,
    { order: NEWEST_FIRST, limit: PAGE, ...(cursor ? { cursor } : { count: "exact" }) });
  const [first, names] = await Promise.all([page(null), people()]);
  const reload = () => render(view, { params }).then(() => refocus(view));
  const ctx = { writer: canWrite(), names, reload };
  clear(view,
    h("nav.crumbs", { "aria-label": "Breadcrumb" }, h("a", { href: "#/objects" }, "Objects"), " / ",
      h("a", { href: `#/objects/${s.object.name}` }, title)),
    pageHeader(`Trash: ${title}`, h("a.button", { href: `#/objects/${s.object.name}` }, `Back to ${title.toLowerCase()}`)),
    h("p.lead", "Records in the trash, the most recently deleted first. Restoring a record brings back its links, " +
      "and the records deleted together with it."),
    first.items.length ? table(title, first, page, ctx) : emptyState(`No ${title.toLowerCase()} in the trash.`));
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
