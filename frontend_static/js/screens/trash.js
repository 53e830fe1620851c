// The trash of an object. The API has no "list trashed records" call, so this browser keeps
// the records it moved to the trash and checks each one with its history (a trashed record's
// newest event is "delete"; a purged one has no history left).

import * as api from "../api.js";
import { state, schema as loadSchema } from "../state.js";
import { busy, clear, confirmDialog, emptyState, fmtDateTime, h, icon, pageHeader, toast, toastError, refocus, } from "../ui.js";

const key = () => `objectry.trash.${state.me?.workspace_id || "default"}`;

function readAll() {
  try {
    return JSON.parse(localStorage.getItem(key())) || [];
  } catch {
    return [];
  }
}

function writeAll(list) {
  localStorage.setItem(key(), JSON.stringify(list.slice(-500)));
}

export function rememberTrashed(object, record) {
  const list = readAll().filter((e) => e.id !== record.id);
  list.push({ id: record.id, object: object.name, name: record.primary_value || "", deleted_at: new Date().toISOString() });
  writeAll(list);
}

const forget = (id) => writeAll(readAll().filter((e) => e.id !== id));

export async function restore(id) {
  const record = await api.records.restore(id);
  forget(id);
  return record;
}

async function stillTrashed(entry) {
  try {
    const page = await api.records.history(entry.id, { limit: 1 });
    return page.items[0]?.op === "delete";
  } catch (err) {
    if (err.status === 404) return false;
    throw err;
  }
}

export async function render(view, { params }) {
  const s = await loadSchema(params.name);
  const entries = readAll().filter((e) => e.object === s.object.name);
  const checks = await Promise.all(entries.map(stillTrashed));
  entries.filter((_, i) => !checks[i]).forEach((e) => forget(e.id));
  const trashed = entries.filter((_, i) => checks[i]).reverse();
  const reload = () => render(view, { params }).then(() => refocus(view));
  const title = s.object.plural_label || s.object.label;
  clear(view,
    h("nav.crumbs", { "aria-label": "Breadcrumb" }, h("a", { href: "#/objects" }, "Objects"), " / ",
      h("a", { href: `#/objects/${s.object.name}` }, title)),
    pageHeader(`Trash: ${title}`, h("a.button", { href: `#/objects/${s.object.name}` }, `Back to ${title.toLowerCase()}`)),
    h("p.lead", "Records moved to the trash from this browser. Restoring a record brings back its links, " +
      "and the records deleted together with it."),
    trashed.length ? h("div.table-wrap", h("table.table",
      h("caption.visually-hidden", `${title} in the trash`),
      h("thead", h("tr", h("th", { scope: "col" }, "Record"), h("th", { scope: "col" }, "Deleted"),
        h("th", { scope: "col" }, h("span.visually-hidden", "Actions")))),
      h("tbody", trashed.map((e) => h("tr",
        h("th", { scope: "row" }, e.name || h("span.muted", "(no name)"), h("div.sub", h("code", e.id))),
        h("td", fmtDateTime(e.deleted_at)),
        h("td.row-actions",
          h("button.small", { type: "button", "aria-label": `Restore ${e.name || e.id}`, onclick: (ev) => busy(ev.currentTarget, async () => {
            await restore(e.id);
            toast(`“${e.name || e.id}” restored`);
            await reload();
          }).catch(toastError) }, icon("restore"), " Restore"),
          h("button.small.danger-text", { type: "button", "aria-label": `Delete ${e.name || e.id} forever`, onclick: () => purge(e, reload) },
            "Delete forever")))))))
      : emptyState(`No ${title.toLowerCase()} in the trash.`));
}

async function purge(entry, reload) {
  const ok = await confirmDialog(`Delete “${entry.name || entry.id}” forever?`,
    "The record, its links and its history are removed for good.", { confirmLabel: "Delete forever", danger: true });
  if (!ok) return;
  try {
    await api.records.purge(entry.id);
    forget(entry.id);
    toast("Deleted for good");
    await reload();
  } catch (err) {
    toastError(err);
  }
}
