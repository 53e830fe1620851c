// One record: its values (edited as a form), its related records by relationship (link by
// searching the other object, unlink), and its history.

import * as api from "../api.js";
import { display, editor, isComputed } from "../fields/types.js";
import { go } from "../router.js";
import { canWrite, labeller, objects, schema as loadSchema } from "../state.js";
import {
  busy, clear, clearFormErrors, field, fmtDateTime, formSummary, h, icon, pageHeader, refocus, showFormErrors,
  toast, toastError,
} from "../ui.js";
import { historyCard } from "../widgets/history.js";
import { linkPicker } from "../widgets/linkpicker.js";
import { liveRecord } from "../widgets/liverecord.js";

export async function render(view, { params }) {
  const base = await api.records.get(params.id);
  const s = await loadSchema(base.object);
  const names = [...new Set(s.relationships.map((r) => r.name))];
  const record = names.length ? await api.records.get(params.id, { expand: names.join(",") }) : base;
  const objs = await objects();
  const reload = (selectors) => render(view, { params }).then(() => refocus(view, selectors));
  const title = record.primary_value || "(no name)";
  const plural = s.object.plural_label || s.object.label;
  const writer = canWrite();
  const del = writer ? h("button.danger", { type: "button", onclick: () => trash(s, record) }, icon("trash"), " Move to trash") : null;
  const related = relatedCards(s, record, objs, writer, reload);
  const values = valuesCard(s, record, writer, reload);
  const notice = h("div.live-notice");
  clear(view,
    h("nav.crumbs", { "aria-label": "Breadcrumb" }, h("a", { href: "#/objects" }, "Objects"), " / ",
      h("a", { href: `#/objects/${s.object.name}` }, plural), " / ", h("span", { "aria-current": "page" }, title)),
    pageHeader(title, del),
    h("p.meta", `${s.object.label} · version ${record.version} · updated ${fmtDateTime(record.updated_at)}`),
    notice,
    h("div.record-layout",
      h("div.record-main", values, historyCard(record, s)),
      h("div.record-side", related)));
  await Promise.all([related].flat().map((card) => card.ready));
  return liveRecord(view, { object: s.object.name, record, values, notice, reload });
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

function valuesCard(s, record, writer, reload) {
  const editors = [];
  const rows = s.fields.map((f) => {
    if (isComputed(f)) return computedValue(f, record.data[f.name]);
    const readonly = !writer || f.is_readonly;
    const ed = editor(f, record.data[f.name], { name: f.name, disabled: readonly });
    editors.push([f, ed]);
    const hint = [f.config?.help_text, f.is_readonly ? "Read-only" : null, f.is_visible ? null : "Hidden in the grid"]
      .filter(Boolean).join(" · ") || undefined;
    if (f.type === "multi_select") {
      if (readonly) ed.el.disabled = true;
      const slot = h("p.field-error", { dataset: { errorFor: f.name } });
      slot.hidden = true;
      return h("div.form-field", h("span.label", f.label, f.is_required ? h("span.req", { "aria-hidden": "true" }, " *") : null),
        ed.el, hint ? h("p.hint", hint) : null, slot);
    }
    return field(f.label, ed.control, { errorFor: f.name, hint, required: f.is_required });
  });
  const submit = h("button.primary", { type: "submit" }, "Save changes");
  const form = h("form.stack", { novalidate: true }, formSummary(), h("div.grid-2", rows),
    writer ? h("div.actions.left", submit) : null);
  const card = h("section.card", { "aria-labelledby": "values-h" }, h("h2", { id: "values-h" }, "Details"), form);
  card.saving = null; // the save in flight, if any (liverecord.js waits for it)
  card.unsaved = () => {
    const { data, local } = edited(editors, record);
    return local.length > 0 || Object.keys(data).length > 0;
  };
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    clearFormErrors(form);
    const { data, local } = edited(editors, record);
    const labelOf = labeller(s.fields);
    if (local.length) return showFormErrors(form, { message: "Some values cannot be sent", details: local }, labelOf);
    if (!Object.keys(data).length) return toast("Nothing changed");
    card.saving = busy(submit, async () => {
      await api.records.update(record.id, data, record.version);
      toast("Saved");
      await reload();
    }).catch((err) => {
      if (err.status === 412) err.message = "Someone changed this record since you opened it. Reload the page to see their change, then edit again.";
      showFormErrors(form, err, labelOf);
    });
  });
  return card;
}

/** The values the form holds that differ from the record's, and those it cannot read. */
/** A value PostgreSQL computed when the record was read: shown as its type shows, not edited. */
function computedValue(f, value) {
  const shown = display(f, value);
  const out = h("output.computed-value", { name: f.name, dataset: { field: f.name } },
    shown === "" ? h("span.muted", "—") : shown);
  return h("div.form-field", h("span.label", f.label), out, h("p.hint", `Computed (${f.type}): read-only`));
}

function edited(editors, record) {
  const data = {};
  const local = [];
  for (const [f, ed] of editors) {
    if (f.is_readonly) continue;
    try {
      const v = ed.read();
      if (JSON.stringify(v ?? null) !== JSON.stringify(record.data[f.name] ?? null)) data[f.name] = v;
    } catch (err) {
      local.push({ field: f.name, message: err.message });
    }
  }
  return { data, local };
}

/** One card per relationship direction this object takes part in. */
function relatedCards(s, record, objs, writer, reload) {
  const byId = new Map(objs.map((o) => [o.id, o]));
  const cards = [];
  for (const r of s.relationships) {
    if (r.from_object_id === s.object.id) cards.push(relatedCard(r, true, record, s.object, byId, writer, reload));
    if (r.to_object_id === s.object.id) cards.push(relatedCard(r, false, record, s.object, byId, writer, reload));
  }
  if (!cards.length) {
    return h("section.card", h("h2", "Related records"),
      h("p.muted", `${s.object.label} is not related to any object yet. `, h("a", { href: "#/relationships" }, "Create a relationship")));
  }
  return cards;
}

function relatedCard(r, forward, record, self, byId, writer, reload) {
  const other = byId.get(forward ? r.to_object_id : r.from_object_id);
  const title = forward ? r.to_label : r.from_label;
  const many = forward ? r.type !== "1:1" : r.type === "N:N";
  const body = h("div.related-body", h("p.muted", "Loading…"));
  const headingId = `rel-${r.id}-${forward ? "f" : "b"}`;
  const card = h("section.card.related", { id: `${headingId}-card`, "aria-labelledby": headingId },
    h("div.card-head", h("h2", { id: headingId }, title), h("span.type", { title: "Relationship kind" }, r.type)), body);
  const side = forward ? "from_record_id" : "to_record_id";
  const otherSide = forward ? "to_record_id" : "from_record_id";
  card.ready = api.links.all({ relationship_id: r.id, [side]: record.id }).then((links) => {
    const related = new Map((record.related?.[r.name] || []).map((x) => [x.id, x]));
    const shown = links.filter((l) => related.has(l[otherSide]));
    const list = shown.length ? h("ul.related-list", shown.map((l) => {
      const rec = related.get(l[otherSide]);
      const name = rec.primary_value || "(no name)";
      return h("li", h("a", { href: `#/records/${rec.id}` }, name),
        writer ? h("button.small.ghost", { type: "button", "aria-label": `Unlink ${name}`, onclick: (e) => busy(e.currentTarget, async () => {
          await api.links.remove(l.id);
          toast(`${name} unlinked`);
          await reload([`#${headingId}-card [role=combobox]`, `#${headingId}-card a`]);
        }).catch(toastError) }, "Unlink") : null);
    })) : h("p.muted", `No ${title.toLowerCase()} yet.`);
    const full = !many && shown.length >= 1;
    const picker = writer && other && !full ? linkPicker({
      object: other, label: `Link ${many ? "a" : "the"} ${other.label.toLowerCase()}`,
      exclude: new Set([...related.keys(), record.id]),
      onPick: async (chosen) => {
        try {
          await api.links.create({ relationship_id: r.id,
            from_record_id: forward ? record.id : chosen.id, to_record_id: forward ? chosen.id : record.id });
          toast(`${chosen.primary_value || chosen.id} linked`);
          await reload([`#${headingId}-card [role=combobox]`, `#${headingId}-card a`]);
        } catch (err) {
          toastError(err);
        }
      },
    }) : null;
    clear(body, list, picker, full && writer ? h("p.hint", `A ${self.label.toLowerCase()} has one ${title.toLowerCase()} here; unlink it to choose another.`) : null);
  }).catch((err) => clear(body, h("p.field-error", `Could not load the links: ${err.message}`)));
  return card;
}
