// One record's form, the same in the side panel (widgets/record_panel.js) and on the full page
// (screens/record.js): an input for every field type with its label, help text and required
// mark; the server's 422 next to each field; Save and Cancel in a footer that stays in sight;
// If-Match on save (a 412 says so); computed values shown formatted, not edited. And the
// record's related records, one card per relationship direction: link, unlink, open.

import * as api from "../api.js";
import { display, editor, isComputed } from "../fields/types.js";
import { labeller } from "../state.js";
import {
  busy, clear, clearFormErrors, field, formSummary, h, nextId, showFormErrors, toast, toastError,
} from "../ui.js";
import { linkPicker } from "./linkpicker.js";

const STALE = "Someone changed this record since you opened it: your changes were not saved. "
  + "Reload it to see their version, then make your change again.";

/** What a field's input says under it: help text, units, read-only. */
function hintOf(f) {
  const c = f.config || {};
  const unit = f.type === "currency" && c.currency_code ? `Amount in ${c.currency_code}`
    : f.type === "percent" ? "A percentage: 12.5 for 12.5 %"
      : f.type === "phone" ? "With the country code: +44 20 7946 0958"
        : f.type === "rich_text" ? "HTML; the server removes scripts and unsafe markup"
          : f.type === "json" ? "JSON" : null;
  return [c.help_text, unit, f.is_readonly ? "Read-only" : null].filter(Boolean).join(" · ") || undefined;
}

/** Shown, not edited: computed values, autonumbers. */
const shownOnly = (f) => isComputed(f) || f.type === "autonumber";

function computedValue(f, value) {
  const shown = value === undefined ? "" : display(f, value);
  const out = h("output.computed-value", { name: f.name, dataset: { field: f.name } },
    shown === "" ? h("span.muted", "—") : shown);
  const what = f.type === "autonumber" ? "Autonumber" : `Computed (${f.type})`;
  return h("div.form-field", h("span.label", f.label), out, h("p.hint", `${what}: read-only`));
}

/**
 * recordForm({schema, record, writer, onSaved, onCancel, onReload}) → {el, footer, unsaved(),
 * saving}. `record` null is a new record of the schema's object. onSaved(record, {created})
 * after a 201/200; onCancel() for Cancel; onReload() for the 412's "Reload". `footer` holds
 * Save and Cancel (tied to the form by its id): the caller puts it where it stays in sight.
 */
export function recordForm({ schema: s, record, writer, onSaved, onCancel, onReload }) {
  const creating = !record;
  const data = record?.data || {};
  const editors = [];
  const rows = [];
  for (const f of s.fields) {
    if (shownOnly(f)) {
      if (!creating) rows.push(computedValue(f, data[f.name]));
      continue;
    }
    const readonly = !writer || f.is_readonly;
    if (creating && f.is_readonly) continue; // only its default can be written: the server sets it
    const ed = editor(f, data[f.name], { name: f.name, disabled: readonly });
    editors.push([f, ed]);
    const hint = hintOf(f);
    if (f.type === "multi_select") {
      if (readonly) ed.el.disabled = true;
      const slot = h("p.field-error", { dataset: { errorFor: f.name } });
      slot.hidden = true;
      rows.push(h("div.form-field",
        h("span.label", f.label, f.is_required ? h("span.req", { "aria-hidden": "true" }, " *") : null),
        ed.el, hint ? h("p.hint", hint) : null, slot));
    } else {
      rows.push(field(f.label, ed.control, { errorFor: f.name, hint, required: f.is_required }));
    }
  }
  const formId = nextId("record-form");
  const required = s.fields.some((f) => f.is_required && !shownOnly(f));
  const form = h("form.stack.record-form", { id: formId, novalidate: true }, formSummary(),
    required && writer ? h("p.hint", h("span.req", { "aria-hidden": "true" }, "*"), " Required") : null,
    h("div.grid-2", rows));
  const submit = h("button.primary", { type: "submit", form: formId },
    creating ? `Create ${s.object.label.toLowerCase()}` : "Save changes");
  const cancel = h("button", { type: "button", onclick: () => onCancel?.() }, "Cancel");
  const footer = h("div.form-footer", writer ? submit : null, cancel);
  const labelOf = labeller(s.fields);
  const el = h("div.record-form-wrap", form);
  const out = {
    el, form, footer, saving: null, // the save in flight, if any (liverecord.js waits for it)
    unsaved: () => {
      const { changed, local } = edited(editors, data);
      return local.length > 0 || Object.keys(changed).length > 0;
    },
  };
  // liverecord.js reads these off the node it watches.
  Object.defineProperty(el, "saving", { get: () => out.saving });
  el.unsaved = out.unsaved;
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    clearFormErrors(form);
    const { changed, local } = edited(editors, data);
    if (local.length) return showFormErrors(form, { message: "Some values cannot be sent", details: local }, labelOf);
    if (!creating && !Object.keys(changed).length) return toast("Nothing changed");
    out.saving = busy(submit, async () => {
      const saved = creating ? await api.records.create(s.object.name, changed)
        : await api.records.update(record.id, changed, record.version);
      toast(creating ? `${s.object.label} “${saved.primary_value || saved.id}” created` : "Saved");
      await onSaved?.(saved, { created: creating });
    }).catch((err) => {
      if (err.status === 412) err.message = STALE;
      showFormErrors(form, err, labelOf);
      if (err.status === 412 && onReload) {
        form.querySelector(".form-summary .alert")?.append(
          h("button.small", { type: "button", onclick: () => onReload() }, "Reload this record"));
      }
    });
  });
  return out;
}

/** The values the form holds that differ from `data`, and those it cannot read. */
function edited(editors, data) {
  const changed = {};
  const local = [];
  for (const [f, ed] of editors) {
    if (f.is_readonly) continue;
    try {
      const v = ed.read();
      if (JSON.stringify(v ?? null) !== JSON.stringify(data[f.name] ?? null)) changed[f.name] = v;
    } catch (err) {
      local.push({ field: f.name, message: err.message });
    }
  }
  return { changed, local };
}

// --- related records ---------------------------------------------------------------------------

/**
 * One card per relationship direction the record's object takes part in: the linked records'
 * names (each opens its record), Unlink, and a picker to link another. `reload(selectors)`
 * draws the record again after a change, focusing the first selector found. Each card has
 * `ready` (its links loaded).
 */
export function relatedCards({ schema: s, record, objects, writer, reload }) {
  const byId = new Map(objects.map((o) => [o.id, o]));
  const cards = [];
  for (const r of s.relationships) {
    if (r.from_object_id === s.object.id) cards.push(relatedCard(r, true, record, s.object, byId, writer, reload));
    if (r.to_object_id === s.object.id) cards.push(relatedCard(r, false, record, s.object, byId, writer, reload));
  }
  if (!cards.length) {
    return [h("section.card", h("h2", "Related records"),
      h("p.muted", `${s.object.label} is not related to any object yet. `, h("a", { href: "#/relationships" }, "Create a relationship")))];
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
  const again = [`#${headingId}-card [role=combobox]`, `#${headingId}-card a`];
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
          await reload(again);
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
          await reload(again);
        } catch (err) {
          toastError(err);
        }
      },
    }) : null;
    clear(body, list, picker, full && writer ? h("p.hint", `A ${self.label.toLowerCase()} has one ${title.toLowerCase()} here; unlink it to choose another.`) : null);
  }).catch((err) => clear(body, h("p.field-error", `Could not load the links: ${err.message}`)));
  return card;
}

/** The record with its related records (one read per relationship name, as `expand` takes). */
export async function loadRecord(id, schemaOf) {
  const base = await api.records.get(id);
  const s = await schemaOf(base.object);
  const names = [...new Set(s.relationships.map((r) => r.name))];
  const record = names.length ? await api.records.get(id, { expand: names.join(",") }) : base;
  return { record, schema: s };
}
