// The field library: every field of the workspace, reusable by several objects.

import * as api from "../api.js";
import { learnLabels } from "../api_errors.js";
import { configForm } from "../fields/config.js";
import { TYPES, typeLabel } from "../fields/types.js";
import { replaceQuery } from "../router.js";
import { canAdmin, invalidate, objects } from "../state.js";
import {
  busy, clear, clearFormErrors, confirmDialog, emptyState, field, formSummary, h, modal, pageHeader,
  select, showFormErrors, slugify, toast, toastError,
} from "../ui.js";
import { optionMapFor } from "../widgets/schema_safety.js";

const LABELS = { name: "API name", label: "Label", type: "Type", category: "Category", description: "Description" };
const labelOf = (f) => LABELS[f] || f.replace(/^config\./, "");

export async function render(view, { query }) {
  const admin = canAdmin();
  const typeFilter = select([["", "All types"], ...TYPES.map(([t, l]) => [t, l])], query.get("type") || "",
    { name: "type", id: "lib-type" });
  const tableSlot = h("div");
  const newField = () => (admin ? h("button.primary", { type: "button", onclick: () => fieldDialog(null).then((r) => r && load()) }, "New field") : null);
  const load = async () => {
    const q = new URLSearchParams(typeFilter.value ? { type: typeFilter.value } : {});
    replaceQuery(q);
    const fields = await api.fields.all(Object.fromEntries(q));
    clear(tableSlot, fields.length ? table(fields, admin, load)
      : emptyState(typeFilter.value ? "No field of this type yet." : "No fields yet. Fields are created here or from an object's builder.",
        typeFilter.value ? null : newField()));
  };
  typeFilter.addEventListener("change", () => load().catch(toastError));
  clear(view,
    pageHeader("Field library", newField()),
    h("p.lead", "A field is defined once and can be added to several objects, each with its own settings (required, visible, order…)."),
    h("div.toolbar", h("label", { for: "lib-type" }, "Show "), typeFilter),
    tableSlot);
  await load();
}

function table(fields, admin, reload) {
  return h("div.table-wrap", h("table.table",
    h("caption.visually-hidden", "Fields"),
    h("thead", h("tr", ["Field", "API name", "Type", "Category", "Description"].map((c) => h("th", { scope: "col" }, c)),
      h("th", { scope: "col" }, h("span.visually-hidden", "Actions")))),
    h("tbody", fields.map((f) => h("tr",
      h("th", { scope: "row" }, f.label),
      h("td", h("code", f.name)),
      h("td", h("span.type", typeLabel(f.type))),
      h("td", f.category || ""),
      h("td.muted", f.description || ""),
      h("td.row-actions", admin ? [
        h("button.small", { type: "button", "aria-label": `Edit ${f.label}`, onclick: () => fieldDialog(f).then((r) => r && reload()) }, "Edit"),
        h("button.small.danger-text", { type: "button", "aria-label": `Delete ${f.label}`, onclick: () => remove(f, reload) }, "Delete"),
      ] : null))))));
}

async function remove(f, reload) {
  let usage = null;
  try {
    usage = await api.fields.usage(f.id);
    learnLabels([f, ...await objects()]);
  } catch (err) {
    toastError(err);
    return;
  }
  const used = usage.objects ? `${usedBy(f, usage)} ` : "";
  const ok = await confirmDialog(`Delete the field ${f.label}?`,
    `${used}A field still used by an object cannot be deleted: remove it from those objects first.`,
    { confirmLabel: "Delete field", danger: true });
  if (!ok) return;
  try {
    await api.fields.remove(f.id);
    toast(`${f.label} deleted`);
    await reload();
  } catch (err) {
    toastError(err);
  }
}

/** "Stage is on 2 objects, and 37 records hold a value." */
function usedBy(f, usage) {
  const objs = usage.objects === 1 ? "1 object" : `${usage.objects} objects`;
  const held = usage.records_with_value === 1 ? "1 record holds" : `${usage.records_with_value} records hold`;
  return usage.objects ? `${f.label} is on ${objs}, and ${held} a value.` : `${f.label} is on no object yet.`;
}

function fieldDialog(existing) {
  return modal(existing ? `Edit field ${existing.label}` : "New field", (close) => {
    const label = h("input", { name: "label", value: existing?.label ?? "", required: true });
    const name = h("input.mono", { name: "name", value: existing?.name ?? "", required: true });
    const type = select(TYPES.map(([t, l, d]) => [t, `${l} — ${d}`]), existing?.type ?? "text", { name: "type" });
    const category = h("input", { name: "category", value: existing?.category ?? "", placeholder: "e.g. Contact details" });
    const description = h("input", { name: "description", value: existing?.description ?? "" });
    let nameEdited = !!existing;
    label.addEventListener("input", () => { if (!nameEdited) name.value = slugify(label.value); });
    name.addEventListener("input", () => { nameEdited = true; });
    const slot = h("div");
    let config;
    const draw = () => {
      config = configForm(type.value, existing && existing.type === type.value ? existing.config : {});
      clear(slot, h("h3.section-title", `${typeLabel(type.value)} settings`), config.el);
    };
    type.addEventListener("change", draw);
    draw();
    const submit = h("button.primary", { type: "submit" }, existing ? "Save field" : "Create field");
    const usage = h("p.usage", { role: "status" });
    if (existing) api.fields.usage(existing.id).then((u) => { usage.textContent = usedBy(existing, u); }).catch(() => {});
    const form = h("form.modal-body.stack", { novalidate: true }, formSummary(), existing ? usage : null,
      h("div.grid-2",
        field("Label", label, { errorFor: "label", required: true }),
        field("API name", name, { errorFor: "name", required: true }),
        field("Type", type, { errorFor: "type", hint: existing ? "Can change only while no object uses the field" : undefined }),
        field("Category", category, { errorFor: "category" })),
      field("Description", description, { errorFor: "description" }),
      slot,
      h("div.actions", h("button", { type: "button", onclick: () => close() }, "Cancel"), submit));
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      clearFormErrors(form);
      busy(submit, async () => {
        const body = { label: label.value.trim(), name: name.value.trim(), type: type.value, config: config.read(),
          category: category.value.trim() || null, description: description.value.trim() || null };
        if (existing && body.type === existing.type) delete body.type;
        if (!existing) {
          if (!body.category) delete body.category;
          if (!body.description) delete body.description;
        }
        const remap = existing && !body.type ? await optionMapFor(existing, body.config, null) : {};
        if (!remap) return;
        const saved = existing ? await api.fields.update(existing.id, { ...body, ...remap })
          : await api.fields.create(body);
        invalidate();
        toast(`${saved.label} saved`);
        close(saved);
      }).catch((err) => showFormErrors(form, err, labelOf));
    });
    return form;
  }, { wide: true });
}
