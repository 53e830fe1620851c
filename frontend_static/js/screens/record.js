// One record on a page of its own (`#/records/<id>`): its values in the record form
// (widgets/record_form.js, the same as the side panel's), its related records by relationship
// (link, unlink, open), and its history. `#/objects/<name>/new` is the same form for a new record.

import * as api from "../api.js";
import { go } from "../router.js";
import { canWrite, objects, schema as loadSchema } from "../state.js";
import { clear, fmtDateTime, h, icon, pageHeader, refocus, toast, toastError } from "../ui.js";
import { historyCard } from "../widgets/history.js";
import { liveRecord } from "../widgets/liverecord.js";
import { loadRecord, recordForm, relatedCards } from "../widgets/record_form.js";

export async function render(view, { params }) {
  const { record, schema: s } = await loadRecord(params.id, loadSchema);
  const objs = await objects();
  const reload = (selectors) => render(view, { params }).then(() => refocus(view, selectors));
  const title = record.primary_value || "(no name)";
  const writer = canWrite();
  const del = writer ? h("button.danger", { type: "button", onclick: () => trash(s, record) }, icon("trash"), " Move to trash") : null;
  const related = relatedCards({ schema: s, record, objects: objs, writer, reload });
  const form = recordForm({
    schema: s, record, writer,
    onSaved: () => reload(),
    onReload: () => reload(),
    onCancel: () => (form.unsaved() ? reload() : go(`/objects/${s.object.name}`)),
  });
  const values = h("section.card", { "aria-labelledby": "values-h" }, h("h2", { id: "values-h" }, "Details"), form.el);
  const notice = h("div.live-notice");
  clear(view,
    crumbs(s, title),
    pageHeader(title, del),
    h("p.meta", `${s.object.label} · version ${record.version} · updated ${fmtDateTime(record.updated_at)}`),
    notice,
    h("div.record-layout",
      h("div.record-main", values, historyCard(record, s)),
      h("div.record-side", related)),
    h("div.page-footer", form.footer));
  await Promise.all(related.map((card) => card.ready));
  return liveRecord(view, { object: s.object.name, record, values: form.el, notice, reload });
}

/** `#/objects/<name>/new`: the record form for a new record; saved, its page opens. */
export async function renderNew(view, { params }) {
  const s = await loadSchema(params.name);
  const label = s.object.label.toLowerCase();
  const form = recordForm({
    schema: s, record: null, writer: canWrite(),
    onSaved: (saved) => go(`/records/${saved.id}`),
    onCancel: () => go(`/objects/${s.object.name}`),
  });
  clear(view,
    crumbs(s, `New ${label}`),
    pageHeader(`New ${label}`),
    h("section.card", { "aria-labelledby": "values-h" }, h("h2", { id: "values-h" }, "Details"), form.el),
    h("div.page-footer", form.footer));
}

function crumbs(s, here) {
  return h("nav.crumbs", { "aria-label": "Breadcrumb" }, h("a", { href: "#/objects" }, "Objects"), " / ",
    h("a", { href: `#/objects/${s.object.name}` }, s.object.plural_label || s.object.label), " / ",
    h("span", { "aria-current": "page" }, here));
}

async function trash(s, record) {
  try {
    await api.records.moveToTrash(record.id);
    toast(`“${record.primary_value || record.id}” moved to the trash`, {
      action: { label: "Undo", run: () => api.records.restore(record.id).then(() => go(`/records/${record.id}`)).catch(toastError) },
    });
    go(`/objects/${s.object.name}`);
  } catch (err) {
    toastError(err);
  }
}
