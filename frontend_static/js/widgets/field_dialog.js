// Dialogs of the object builder: add a new or an existing field to an object, edit a field.

import * as api from "../api.js";
import { configForm } from "../fields/config.js";
import { TYPES, typeLabel } from "../fields/types.js";
import {
  busy, checkbox, clear, clearFormErrors, field, formSummary, h, modal, nextId, select, showFormErrors,
  slugify, toast, toastError,
} from "../ui.js";
import { optionMapFor, usageSentence } from "./schema_safety.js";

const LABELS = { name: "API name", label: "Label", type: "Type", field_id: "Field", description: "Description" };
const labelOf = (f) => LABELS[f] || f.replace(/^config\./, "");

function flagBoxes() {
  const boxes = {
    is_required: checkbox("Required", false),
    is_visible: checkbox("Visible in the grid", true),
    is_readonly: checkbox("Read-only", false),
    is_unique: checkbox("Unique", false),
    is_indexed: checkbox("Indexed", false),
  };
  const el = h("fieldset.flags", h("legend", "On this object"), Object.values(boxes));
  return { el, read: () => Object.fromEntries(Object.entries(boxes).map(([k, b]) => [k, b.box.checked])) };
}

function tabs(panels) {
  const base = nextId("tab");
  const buttons = panels.map(([label], i) => h("button.tab", { type: "button", role: "tab", id: `${base}-${i}`,
    "aria-selected": i === 0 ? "true" : "false", tabindex: i === 0 ? "0" : "-1" }, label));
  const bodies = panels.map(([, body], i) => {
    const panel = h("div.tab-panel", { role: "tabpanel", "aria-labelledby": `${base}-${i}` }, body);
    panel.hidden = i !== 0;
    return panel;
  });
  const pick = (i) => buttons.forEach((b, j) => {
    b.setAttribute("aria-selected", String(i === j));
    b.tabIndex = i === j ? 0 : -1;
    bodies[j].hidden = i !== j;
    if (i === j) b.focus();
  });
  buttons.forEach((b, i) => {
    b.addEventListener("click", () => pick(i));
    b.addEventListener("keydown", (e) => {
      if (e.key === "ArrowRight" || e.key === "ArrowLeft") {
        pick((i + (e.key === "ArrowRight" ? 1 : buttons.length - 1)) % buttons.length);
      }
    });
  });
  return h("div", h("div.tabs", { role: "tablist" }, buttons), bodies);
}

export function addFieldDialog(s) {
  return modal(`Add a field to ${s.object.label}`, (close) => h("div.modal-body",
    tabs([["New field", newFieldForm(s, close)], ["Reuse a field from the library", existingFieldForm(s, close)]])), { wide: true });
}

function newFieldForm(s, close) {
  const label = h("input", { name: "label", required: true, placeholder: "E-mail" });
  const name = h("input.mono", { name: "name", required: true, placeholder: "email" });
  const type = select(TYPES.map(([t, l, d]) => [t, `${l} — ${d}`]), "text", { name: "type" });
  const description = h("input", { name: "description" });
  let nameEdited = false;
  label.addEventListener("input", () => { if (!nameEdited) name.value = slugify(label.value); });
  name.addEventListener("input", () => { nameEdited = true; });
  const configSlot = h("div.config-slot");
  let config = null;
  const drawConfig = () => {
    config = configForm(type.value, {}, { ...s, editing: null });
    clear(configSlot, h("h3.section-title", `${typeLabel(type.value)} settings`), config.el);
  };
  type.addEventListener("change", drawConfig);
  drawConfig();
  const flags = flagBoxes();
  const submit = h("button.primary", { type: "submit" }, "Add field");
  const form = h("form.stack", { novalidate: true }, formSummary(),
    h("div.grid-2",
      field("Label", label, { errorFor: "label", required: true }),
      field("API name", name, { errorFor: "name", required: true, hint: "Key of the value in record data" }),
      field("Type", type, { errorFor: "type", required: true }),
      field("Description", description, { errorFor: "description" })),
    configSlot, flags.el,
    h("div.actions", h("button", { type: "button", onclick: () => close() }, "Cancel"), submit));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    clearFormErrors(form);
    busy(submit, async () => {
      const body = { name: name.value.trim(), label: label.value.trim(), type: type.value,
        config: config.read(), ...flags.read() };
      if (description.value.trim()) body.description = description.value.trim();
      const created = await api.objects.addField(s.object.id, body);
      toast(`${created.label} added to ${s.object.label}`);
      close(created);
    }).catch(async (err) => {
      showFormErrors(form, err, labelOf);
      const reuse = await reuseOffer(s, err, name.value.trim(), label.value.trim(), flags, close);
      if (reuse) form.querySelector(".form-summary").append(reuse);
    });
  });
  return form;
}

/** After a 409 on the name: offer the workspace's field of that name, with this object's label. */
async function reuseOffer(s, err, wanted, label, flags, close) {
  if (err.status !== 409 || !(err.details || []).some((d) => d.field === "name")) return null;
  const existing = await api.fields.get(wanted).catch(() => null);
  if (!existing || s.fields.some((f) => f.id === existing.id)) return null;
  const own = h("input", { name: "reuse_label", value: label || existing.label });
  const add = h("button.primary.reuse", { type: "button" },
    `Add the existing field ‘${existing.label}’ (${typeLabel(existing.type)}) to this object`);
  add.addEventListener("click", () => busy(add, async () => {
    const body = { object_id: s.object.id, field_id: existing.id, ...flags.read() };
    const shown = own.value.trim();
    if (shown && shown !== existing.label) body.field_overrides = { label: shown };
    const row = await api.objectFields.attach(body);
    toast(`${shown || existing.label} added to ${s.object.label}`);
    close(row);
  }).catch(toastError));
  return h("div.reuse-offer.stack",
    h("p", `The workspace already has a field named `, h("code", existing.name), `: ${existing.label} (${typeLabel(existing.type)}). ` +
      "You can add that field to this object; its values and settings are shared, its label here is yours."),
    field(`Label on ${s.object.label}`, own), h("div.actions", add));
}

function existingFieldForm(s, close) {
  const attached = new Set(s.fields.map((f) => f.id));
  const picker = select([["", "Loading the field library…"]], "", { name: "field_id", disabled: true });
  const override = h("input", { name: "label_override", placeholder: "Same as the field's label" });
  const flags = flagBoxes();
  const submit = h("button.primary", { type: "submit" }, "Add field");
  const form = h("form.stack", { novalidate: true }, formSummary(),
    h("p.hint", "Fields are shared: a field from the library keeps its type and settings on every object that uses it."),
    field("Field", picker, { errorFor: "field_id", required: true }),
    field("Label on this object", override, { errorFor: "field_overrides", hint: "Optional" }),
    flags.el,
    h("div.actions", h("button", { type: "button", onclick: () => close() }, "Cancel"), submit));
  api.fields.all().then((all) => {
    const free = all.filter((f) => !attached.has(f.id));
    clear(picker, ...(free.length ? [h("option", { value: "" }, "Choose a field…")] : [h("option", { value: "" }, "Every library field is already on this object")]),
      ...free.map((f) => h("option", { value: f.id }, `${f.label} (${typeLabel(f.type)}, ${f.name})`)));
    picker.disabled = !free.length;
  }).catch(toastError);
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    clearFormErrors(form);
    busy(submit, async () => {
      const body = { object_id: s.object.id, field_id: picker.value, ...flags.read() };
      if (override.value.trim()) body.field_overrides = { label: override.value.trim() };
      const attachedRow = await api.objectFields.attach(body);
      toast(`Field added to ${s.object.label}`);
      close(attachedRow);
    }).catch((err) => showFormErrors(form, err, labelOf));
  });
  return form;
}

export async function editFieldDialog(s, attachedField) {
  let base;
  try {
    base = await api.fields.get(attachedField.id);
  } catch (err) {
    toastError(err);
    return undefined;
  }
  return modal(`Edit field ${base.label}`, (close) => {
    const label = h("input", { name: "label", value: base.label, required: true });
    const name = h("input.mono", { name: "name", value: base.name });
    const description = h("input", { name: "description", value: base.description ?? "" });
    const overrides = attachedField.field_overrides || {};
    const override = h("input", { name: "label_override", value: overrides.label ?? "", placeholder: "Same as the label" });
    const config = configForm(base.type, base.config || {}, { ...s, editing: base.id });
    const submit = h("button.primary", { type: "submit" }, "Save field");
    const usage = h("p.usage", { role: "status" });
    api.objectFields.usage(attachedField.object_field_id)
      .then((u) => { usage.textContent = usageSentence(u, s.object); }).catch(() => {});
    const form = h("form.modal-body.stack", { novalidate: true }, formSummary(), usage,
      h("p.hint", `Type: ${typeLabel(base.type)}. Changes to the label, name and settings apply to every object that uses this field.`),
      h("div.grid-2",
        field("Label", label, { errorFor: "label", required: true }),
        field("API name", name, { errorFor: "name", hint: "Records keep their values when it is renamed" }),
        field("Description", description, { errorFor: "description" }),
        field(`Label on ${s.object.label} only`, override, { errorFor: "field_overrides", hint: "Optional" })),
      h("h3.section-title", `${typeLabel(base.type)} settings`), config.el,
      h("div.actions", h("button", { type: "button", onclick: () => close() }, "Cancel"), submit));
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      clearFormErrors(form);
      busy(submit, async () => {
        const body = { label: label.value.trim(), name: name.value.trim(), config: config.read(),
          description: description.value.trim() || null };
        const remap = await optionMapFor(base, body.config, s.object);
        if (!remap) return;
        const saved = await api.fields.update(base.id, { ...body, ...remap });
        const wanted = override.value.trim() || null;
        if (wanted !== (overrides.label ?? null)) {
          const next = { ...overrides };
          if (wanted) next.label = wanted;
          else delete next.label;
          await api.objectFields.update(attachedField.object_field_id, { field_overrides: next });
        }
        toast(`${saved.label} saved`);
        close(saved);
      }).catch((err) => showFormErrors(form, err, labelOf));
    });
    return form;
  }, { wide: true });
}
