// The object builder: an object's fields (order, flags, add / edit / remove) and settings.

import * as api from "../api.js";
import { go } from "../router.js";
import { canAdmin, invalidate, objects, schema as loadSchema } from "../state.js";
import { typeLabel } from "../fields/types.js";
import {
  busy, clear, clearFormErrors, emptyState, field, formSummary, h, pageHeader, select,
  showFormErrors, toast, toastError,
} from "../ui.js";
import { addFieldDialog, editFieldDialog } from "../widgets/field_dialog.js";
import { iconPicker, objectHue, withBadge } from "../widgets/object_look.js";
import { detachDialog, typedDeleteDialog } from "../widgets/schema_safety.js";
import { relationshipDialog } from "../widgets/relationship_dialog.js";

const FLAGS = [
  ["is_required", "Required", "must have a value"],
  ["is_visible", "Visible", "shown in the records grid"],
  ["is_readonly", "Read-only", "only its default; nobody writes it"],
  ["is_unique", "Unique", "no two records share a value"],
  ["is_indexed", "Indexed", "fast filtering and sorting"],
];

export async function render(view, { params }) {
  const [s, objs] = await Promise.all([loadSchema(params.name, true), objects()]);
  const labels = new Map(objs.map((o) => [o.id, o.label]));
  const admin = canAdmin();
  const refresh = async (focusSelector) => {
    invalidate();
    await render(view, { params: { name: s.object.name } });
    if (focusSelector) view.querySelector(focusSelector)?.focus();
  };
  clear(view,
    h("nav.crumbs", { "aria-label": "Breadcrumb" }, h("a", { href: "#/objects" }, "Objects"), " / ",
      h("a", { href: `#/objects/${s.object.name}` }, s.object.plural_label || s.object.label)),
    withBadge(s.object, pageHeader(`${s.object.label}: fields & settings`,
      h("a.button", { href: `#/objects/${s.object.name}` }, "Open records"),
      admin ? h("button.primary.add-field", { type: "button", onclick: () => addFieldDialog(s).then((r) => r && refresh(".add-field")) }, "Add field") : null)),
    h("section.card", { "aria-labelledby": "fields-h" },
      h("h2", { id: "fields-h" }, "Fields"),
      s.fields.length ? fieldsTable(s, admin, refresh)
        : emptyState("This object has no fields yet. Add one: a Name (text) field is a good start."),
    ),
    relationshipsCard(s, labels, admin, refresh),
    settingsCard(s, admin, refresh),
    admin ? dangerCard(s) : null);
}

function fieldsTable(s, admin, refresh) {
  const rows = s.fields.map((f, i) => {
    const flags = FLAGS.map(([key, label, what]) => {
      const box = h("input", { type: "checkbox", checked: f[key], disabled: !admin,
        "aria-label": `${label}: ${f.label}`, title: `${label} — ${what}` });
      box.addEventListener("change", () => setFlag(f, key, label, box, refresh));
      return h("td.center", box);
    });
    const move = (dir) => () => reorder(s, i, i + dir, refresh);
    const isPrimary = s.object.primary_field_id === f.id;
    return h("tr", { dataset: { field: f.name } },
      h("td.order", admin ? [
        h("button.icon.up", { type: "button", disabled: i === 0, "aria-label": `Move ${f.label} up`, title: "Move up", onclick: move(-1) }, "↑"),
        h("button.icon.down", { type: "button", disabled: i === s.fields.length - 1, "aria-label": `Move ${f.label} down`, title: "Move down", onclick: move(1) }, "↓"),
      ] : i + 1),
      h("th", { scope: "row" }, f.label, isPrimary ? h("span.badge.primary-badge", { title: "Primary field: names the record" }, "primary") : null,
        h("div.sub", h("code", f.name))),
      h("td", h("span.type", typeLabel(f.type))),
      flags,
      h("td.row-actions", admin ? [
        h("button.small.edit", { type: "button", "aria-label": `Edit ${f.label}`, onclick: () => editFieldDialog(s, f).then((r) => r && refresh(`tr[data-field="${f.name}"] .edit`)) }, "Edit"),
        h("button.small.danger-text", { type: "button", "aria-label": `Remove ${f.label} from ${s.object.label}`, onclick: () => detach(s, f, refresh) }, "Remove"),
      ] : null));
  });
  return h("div.table-wrap", h("table.table.fields-table",
    h("caption.visually-hidden", `Fields of ${s.object.label}, in display order`),
    h("thead", h("tr", h("th", { scope: "col" }, "Order"), h("th", { scope: "col" }, "Field"),
      h("th", { scope: "col" }, "Type"),
      FLAGS.map(([, label, what]) => h("th.center", { scope: "col", title: what }, label)),
      h("th", { scope: "col" }, h("span.visually-hidden", "Actions")))),
    h("tbody", rows)));
}

async function setFlag(f, key, label, box, refresh) {
  box.disabled = true;
  try {
    await api.objectFields.update(f.object_field_id, { [key]: box.checked });
    toast(`${f.label}: ${label.toLowerCase()} ${box.checked ? "on" : "off"}`);
    await refresh(`tr[data-field="${f.name}"] input[aria-label="${label}: ${CSS.escape(f.label)}"]`);
  } catch (err) {
    box.checked = !box.checked;
    box.disabled = false;
    toastError(err);
  }
}

async function reorder(s, from, to, refresh) {
  if (to < 0 || to >= s.fields.length) return;
  const order = s.fields.slice();
  const [moved] = order.splice(from, 1);
  order.splice(to, 0, moved);
  try {
    for (const [i, f] of order.entries()) {
      if (f.display_order !== i) await api.objectFields.update(f.object_field_id, { display_order: i });
    }
    const dir = to < from ? "up" : "down";
    const edge = to === 0 || to === s.fields.length - 1;
    await refresh(`tr[data-field="${moved.name}"] .${edge ? (dir === "up" ? "down" : "up") : dir}`);
    toast(`${moved.label} moved ${dir}`);
  } catch (err) {
    toastError(err);
    await refresh();
  }
}

/** The field that names records: primary_field_id when attached, else the first text field. */
function primaryFieldId(s) {
  if (s.fields.some((f) => f.id === s.object.primary_field_id)) return s.object.primary_field_id;
  return s.fields.find((f) => f.type === "text")?.id;
}

async function detach(s, f, refresh) {
  try {
    const usage = await api.objectFields.usage(f.object_field_id);
    const answer = await detachDialog(s, f, usage, primaryFieldId(s) === f.id);
    if (!answer) return;
    if (answer.primary) await api.objects.update(s.object.id, { primary_field_id: answer.primary });
    await api.objectFields.detach(f.object_field_id);
    toast(`${f.label} removed from ${s.object.label}`);
    await refresh(".add-field");
  } catch (err) {
    toastError(err);
  }
}

function relationshipsCard(s, labels, admin, refresh) {
  const other = (r) => (r.from_object_id === s.object.id ? r.to_object_id : r.from_object_id);
  return h("section.card", { "aria-labelledby": "rels-h" },
    h("div.card-head", h("h2", { id: "rels-h" }, "Relationships"),
      admin ? h("button.small", { type: "button", onclick: () => relationshipDialog({ from: s.object.id }).then((r) => r && refresh()) }, "New relationship") : null),
    s.relationships.length
      ? h("ul.plain", s.relationships.map((r) => h("li",
        h("strong", r.from_object_id === s.object.id ? r.to_label : r.from_label),
        h("span.muted", ` — ${labels.get(other(r)) ?? "?"}${other(r) === s.object.id ? " (itself)" : ""} `),
        h("span.type", r.type), " ", h("code", r.name))))
      : h("p.muted", "Not related to other objects yet."),
    h("p", h("a", { href: "#/relationships" }, "Manage all relationships")));
}

function settingsCard(s, admin, refresh) {
  const o = s.object;
  const inputs = {
    label: h("input", { name: "label", value: o.label, required: true }),
    plural_label: h("input", { name: "plural_label", value: o.plural_label ?? "" }),
    name: h("input.mono", { name: "name", value: o.name }),
    plural_name: h("input.mono", { name: "plural_name", value: o.plural_name ?? "" }),
    description: h("textarea", { name: "description", rows: 2, value: o.description ?? "" }),
    icon: iconPicker(o.icon, objectHue(o)),
  };
  const primary = select([["", "Automatic — the first text field"], ...s.fields.map((f) => [f.id, `${f.label} (${typeLabel(f.type)})`])],
    o.primary_field_id ?? "", { name: "primary_field_id" });
  if (!admin) for (const el of [...Object.values(inputs), primary]) el.disabled = true;
  const submit = h("button.primary", { type: "submit", disabled: !admin }, "Save settings");
  const form = h("form.stack", { novalidate: true }, formSummary(),
    h("div.grid-2",
      field("Name", inputs.label, { errorFor: "label", required: true }),
      field("Plural name", inputs.plural_label, { errorFor: "plural_label" }),
      field("API name", inputs.name, { errorFor: "name", hint: "Renaming breaks apps that use the old name." }),
      field("Plural API name", inputs.plural_name, { errorFor: "plural_name", hint: "Also accepted by /rest/v1" }),
      field("Primary field", primary, { errorFor: "primary_field_id", hint: "Its value names each record in links and search." })),
    field("Description", inputs.description, { errorFor: "description" }),
    inputs.icon,
    h("div.actions", submit));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    clearFormErrors(form);
    const body = { primary_field_id: primary.value || null };
    for (const [key, el] of Object.entries(inputs)) {
      const v = el.value.trim();
      body[key] = v === "" && key !== "label" && key !== "name" ? null : v;
    }
    busy(submit, async () => {
      const obj = await api.objects.update(o.id, body);
      toast("Settings saved");
      if (obj.name !== o.name) {
        invalidate();
        go(`/objects/${obj.name}/build`);
      } else {
        await refresh();
      }
    }).catch((err) => showFormErrors(form, err));
  });
  return h("section.card", { "aria-labelledby": "settings-h" }, h("h2", { id: "settings-h" }, "Settings"), form);
}

function dangerCard(s) {
  const remove = async () => {
    try {
      if (!await typedDeleteDialog(s.object, await api.objects.usage(s.object.id))) return;
      await api.objects.remove(s.object.id);
      invalidate();
      toast(`${s.object.label} deleted`);
      go("/objects");
    } catch (err) {
      toastError(err);
    }
  };
  return h("section.card.danger-zone", { "aria-labelledby": "danger-h" }, h("h2", { id: "danger-h" }, "Delete this object"),
    h("p", "Deleting an object removes its records and relationships for good."),
    h("button.danger", { type: "button", onclick: remove }, `Delete ${s.object.label}…`));
}
