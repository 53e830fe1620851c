// "Start from a template": the ready-made schemas the server ships (CRM, e-commerce), one picked
// and applied, optionally with sample records. A clash with an existing name (409) is listed
// in the dialog, one line per clashing entry, so the person knows what to rename.

import * as api from "../api.js";
import { busy, checkbox, clear, clearFormErrors, formSummary, h, modal, nextId, showFormErrors } from "../ui.js";

/** "object.contact" (a 409 detail's field) → "Object “contact”", before the server's message. */
const labelOf = (f) => {
  const [kind, ...name] = String(f).split(".");
  if (!name.length) return f;
  const words = kind.replace(/_/g, " ");
  return `${words[0].toUpperCase()}${words.slice(1)} “${name.join(".")}”`;
};

function choice(template, group, checked) {
  const id = nextId("tpl");
  const count = template.object_count ?? template.objects?.length ?? 0;
  return h("label.template-choice", { for: id },
    h("input", { type: "radio", name: group, value: template.name, id, checked }),
    h("span.template-text", h("span", h("strong", template.label),
      h("span.muted", ` · ${count} ${count === 1 ? "object" : "objects"}`)),
      template.description ? h("span.hint", template.description) : null));
}

/** Resolves with the apply's answer (its `changes`), or undefined if cancelled. */
export function templateDialog() {
  return modal("Start from a template", (close) => {
    const group = nextId("tpl-group");
    const list = h("fieldset.templates", h("legend", "Template"), h("p.muted", "Loading…"));
    const samples = checkbox("With sample records", true, { name: "with_sample_records" });
    const submit = h("button.primary", { type: "submit", disabled: true }, "Apply template");
    const form = h("form.modal-body.stack", { novalidate: true }, formSummary(), list, samples,
      h("p.hint", "Adds the template's objects, fields and relationships next to yours; nothing is removed."),
      h("div.actions", h("button", { type: "button", onclick: () => close() }, "Cancel"), submit));
    api.templates.list().then(({ items }) => {
      clear(list, h("legend", "Template"), items.map((t, i) => choice(t, group, i === 0)));
      submit.disabled = !items.length;
    }).catch((err) => showFormErrors(form, err));
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      clearFormErrors(form);
      const picked = form.querySelector(`input[name="${group}"]:checked`);
      if (!picked) return;
      busy(submit, async () => close(await api.templates.apply(picked.value, samples.box.checked)))
        .catch((err) => showFormErrors(form, err, labelOf));
    });
    return form;
  }, { wide: true });
}
