// The objects of the workspace, and creating a new one.

import * as api from "../api.js";
import { go } from "../router.js";
import { canAdmin, invalidate, objects, objectTitle, schema } from "../state.js";
import {
  busy, clear, clearFormErrors, emptyState, field, formSummary, h, modal, pageHeader,
  showFormErrors, slugify, toast,
} from "../ui.js";
import { iconPicker, objectBadge, objectHue } from "../widgets/object_look.js";
import { templateDialog } from "../widgets/template_dialog.js";

const LABELS = { name: "API name", label: "Name", plural_label: "Plural name", plural_name: "Plural API name", description: "Description" };
const labelOf = (f) => LABELS[f] || f;

export async function render(view) {
  const list = await objects(true);
  const button = (tag, label, onclick) => (canAdmin() ? h(tag, { type: "button", onclick }, label) : null);
  const create = (label = "New object", tag = "button.primary") => button(tag, label, () => createObject());
  const fromTemplate = (label, tag = "button") => button(tag, label, () => applyTemplate(view));
  const body = list.length
    ? h("ul.object-cards", { "aria-label": "Objects" }, list.map(objectCard))
    : emptyState("No objects yet. An object is a kind of record — Contact, Company, Deal.",
      fromTemplate("Start from a template", "button.primary"), " ", create("Create your first object", "button"));
  clear(view,
    pageHeader("Objects", list.length ? fromTemplate("From a template") : null, create()),
    h("p.lead", "Each object has its fields, its records and its relationships to other objects."),
    body);
}

const COUNT_CAP = 1000;

/** One object's card: badge, name, description, record and field counts, where to go. The
 * counts arrive after the cards are drawn; records are counted up to 1,000 ("1,000+" beyond:
 * an exact count of a million records costs ~0.4 s, the grid shows it when opened). */
function objectCard(o) {
  const title = objectTitle(o);
  const records = h("strong", "…");
  const fields = h("strong", "…");
  const card = h("li.object-card",
    h("div.object-card-head", objectBadge(o, "lg"),
      h("div", h("h2", h("a", { href: `#/objects/${o.name}` }, title)), h("code", o.name))),
    h("p.desc", o.description || ""),
    h("p.object-stats", h("span", records, " records"), h("span", fields, " fields")),
    h("div.row-actions",
      h("a.button.small", { href: `#/objects/${o.name}`, "aria-label": `Records of ${title}` }, "Records"),
      h("a.button.small", { href: `#/objects/${o.name}/build`, "aria-label": `Fields and settings of ${o.label}` },
        "Fields & settings")));
  card.style.setProperty("--hue", objectHue(o));
  const shown = (el, n, more = false) => { el.textContent = n === null ? "?" : n.toLocaleString() + (more ? "+" : ""); };
  api.records.countUpTo(o.name, COUNT_CAP).then((n) => shown(records, n, n >= COUNT_CAP), () => shown(records, null));
  schema(o.name).then((s) => shown(fields, s.fields.length), () => shown(fields, null));
  return card;
}

async function applyTemplate(view) {
  const applied = await templateDialog();
  if (!applied) return;
  invalidate();
  const made = applied.changes.filter((c) => c.kind === "object" && c.op === "create").length;
  toast(made ? `Template applied: ${made} new ${made === 1 ? "object" : "objects"}` : "Template applied: nothing was missing");
  await render(view);
}

// English plurals of the last word, as the server derives them when a client leaves them out
// (metadata/plurals.py, the `inflection` package): Company → Companies, Person → People.
const IRREGULAR = { person: "people", child: "children", man: "men", woman: "women", foot: "feet", tooth: "teeth", mouse: "mice" };
const UNCHANGED = new Set(["sheep", "fish", "series", "species", "news", "information", "equipment", "money", "rice"]);

export function pluralize(text) {
  const m = /^(.*?)([A-Za-z]+)$/.exec(text);
  if (!m) return text;
  const [, head, word] = m;
  const lower = word.toLowerCase();
  let plural;
  if (IRREGULAR[lower]) plural = IRREGULAR[lower];
  else if (UNCHANGED.has(lower)) plural = lower;
  else if (/([^aeiouy]|qu)y$/.test(lower)) plural = lower.slice(0, -1) + "ies";
  else if (/(x|ch|ss|sh|s|z)$/.test(lower)) plural = lower + "es";
  else plural = lower + "s";
  if (word === word.toUpperCase() && word.length > 1) plural = `${word}s`; // CPU → CPUs
  else if (word[0] === word[0].toUpperCase()) plural = plural[0].toUpperCase() + plural.slice(1);
  return head + plural;
}

export function createObject() {
  return modal("New object", (close) => {
    const label = h("input", { name: "label", required: true, placeholder: "Contact" });
    const plural = h("input", { name: "plural_label", placeholder: "Contacts" });
    const name = h("input.mono", { name: "name", required: true, placeholder: "contact" });
    const pluralName = h("input.mono", { name: "plural_name", placeholder: "contacts" });
    const description = h("textarea", { name: "description", rows: 2 });
    const icons = iconPicker(null);
    const edited = new Set();
    for (const el of [plural, name, pluralName]) el.addEventListener("input", () => edited.add(el));
    const derive = () => {
      if (!edited.has(name)) name.value = slugify(label.value);
      if (!edited.has(plural)) plural.value = label.value.trim() ? pluralize(label.value.trim()) : "";
      if (!edited.has(pluralName)) pluralName.value = name.value ? pluralize(name.value) : "";
    };
    label.addEventListener("input", derive);
    name.addEventListener("input", derive);
    const submit = h("button.primary", { type: "submit" }, "Create object");
    const form = h("form.modal-body.stack", { novalidate: true },
      formSummary(),
      field("Name", label, { errorFor: "label", required: true, hint: "Singular, as people say it: Contact" }),
      field("Plural name", plural, { errorFor: "plural_label", hint: "Shown in menus: Contacts" }),
      field("API name", name, { errorFor: "name", required: true,
        hint: "Used in the API and URLs: lower-case letters, digits and _" }),
      field("Plural API name", pluralName, { errorFor: "plural_name", hint: "Also answers at /rest/v1/<plural API name>" }),
      field("Description", description, { errorFor: "description" }),
      icons,
      h("div.actions", h("button", { type: "button", onclick: () => close() }, "Cancel"), submit));
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      clearFormErrors(form);
      const body = { name: name.value.trim(), label: label.value.trim() };
      // Left empty, the server derives them (and a cleared field stays the server's choice).
      if (plural.value.trim()) body.plural_label = plural.value.trim();
      if (pluralName.value.trim()) body.plural_name = pluralName.value.trim();
      if (description.value.trim()) body.description = description.value.trim();
      if (icons.value) body.icon = icons.value;
      busy(submit, async () => {
        const obj = await api.objects.create(body);
        invalidate();
        close(obj);
        go(`/objects/${obj.name}/build`);
      }).catch((err) => showFormErrors(form, err, labelOf));
    });
    return form;
  });
}
