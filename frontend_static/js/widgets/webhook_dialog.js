// The webhook form (create or edit: name, URL, events, objects, filter, active) and the panel
// that shows a signing secret once, after a create or a rotation.

import * as api from "../api.js";
import { objects } from "../state.js";
import { busy, checkbox, clear, clearFormErrors, field, formSummary, h, modal, showFormErrors } from "../ui.js";
import { copyBox } from "./secret.js";

export const EVENTS = [
  ["record.created", "A record is created"],
  ["record.updated", "A record is changed"],
  ["record.deleted", "A record is deleted (moved to the trash or for good)"],
  ["record.restored", "A record is restored from the trash"],
];
const LABELS = { name: "Name", url: "URL", events: "Events", objects: "Objects", filter: "Filter" };
const labelOf = (f) => LABELS[f.split(".")[0]] || f;

/** The signing secret, shown once; `done` closes the dialog. */
export function secretPanel(hook, done) {
  const { input, row, note } = copyBox(hook.secret, { label: "Signing secret", what: "secret", id: "webhook-secret" });
  return h("div.stack",
    h("div.alert.warn", { role: "alert" }, h("p", h("strong", "Copy this secret now. "),
      "It is shown only once. Your receiver uses it to check the webhook-signature header (Standard Webhooks); if you lose it, rotate it.")),
    h("label", { for: input.id }, `Signing secret of “${hook.name}”`),
    row, note,
    h("div.actions", h("button.primary", { type: "button", onclick: done }, "Done, I have copied it")));
}

/** Show a secret in a dialog of its own (after a rotation). */
export function showSecret(hook) {
  return modal("New signing secret", (close) => h("div.modal-body", secretPanel(hook, () => close())));
}

function body(controls, editing) {
  const { name, url, boxes, objectList, filter, active } = controls;
  const out = {
    name: name.value.trim(), url: url.value.trim(),
    events: boxes.filter((b) => b.box.checked).map((b) => b.box.value),
    objects: [...objectList.selectedOptions].map((o) => o.value),
    filter: filter.value.trim() || null,
    active: active.box.checked,
  };
  if (!editing && !out.filter) delete out.filter;
  return out;
}

/** Create (no `hook`) or edit a webhook; resolves with the saved webhook, or undefined. */
export function webhookDialog(hook = null) {
  return modal(hook ? `Edit ${hook.name}` : "New webhook", (close) => {
    const name = h("input", { name: "name", required: true, value: hook?.name || "", placeholder: "e.g. Billing sync" });
    const url = h("input", { name: "url", type: "url", required: true, value: hook?.url || "", placeholder: "https://example.com/webhooks/objectry" });
    const events = new Set(hook?.events || ["record.created", "record.updated"]);
    const boxes = EVENTS.map(([value, words]) => checkbox(h("span", h("code", value), " — ", words), events.has(value), { value }));
    const eventSet = h("fieldset.scopes", h("legend", "Events"), boxes,
      h("p.field-error", { dataset: { errorFor: "events" }, hidden: true }));
    const objectList = h("select", { name: "objects", multiple: true, size: 5 });
    objects().then((list) => clear(objectList, list.map((o) => h("option", {
      value: o.name, selected: (hook?.objects || []).includes(o.name) }, o.label || o.name)))).catch(() => {});
    const filter = h("input.mono", { name: "filter", value: hook?.filter || "", placeholder: "e.g. stage=eq.won" });
    const active = checkbox("Active: send deliveries", hook ? hook.active : true, { value: "active" });
    const submit = h("button.primary", { type: "submit" }, hook ? "Save webhook" : "Create webhook");
    const form = h("form.modal-body.stack", { novalidate: true }, formSummary(),
      field("Name", name, { errorFor: "name", required: true }),
      field("URL", url, { errorFor: "url", required: true, hint: "Where to POST each event (https)" }),
      eventSet,
      field("Objects", objectList, { errorFor: "objects", hint: "None selected: every object. Ctrl/⌘-click to pick several." }),
      field("Filter", filter, { errorFor: "filter", hint: "Optional, in the data API's words (e.g. amount=gt.1000); needs exactly one object" }),
      active,
      h("div.actions", h("button", { type: "button", onclick: () => close() }, "Cancel"), submit));
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      clearFormErrors(form);
      const sent = body({ name, url, boxes, objectList, filter, active }, Boolean(hook));
      busy(submit, async () => {
        if (hook) return close(await api.webhooks.update(hook.id, sent));
        const created = await api.webhooks.create(sent);
        clear(form, secretPanel(created, () => close(created)));
        form.querySelector(".copy")?.focus();
      }).catch((err) => showFormErrors(form, err, labelOf));
    });
    return form;
  }, { wide: true });
}
