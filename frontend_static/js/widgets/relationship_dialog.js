// The relationship dialog: create (from the list or an object's builder) or edit one.
// Labels: on a `from` record the linked records are called `to_label`; on a `to` record, `from_label`.

import * as api from "../api.js";
import { invalidate, objects } from "../state.js";
import {
  busy, clear, clearFormErrors, field, formSummary, h, modal, select, showFormErrors, slugify, toast, toastError,
} from "../ui.js";

const KINDS = [["1:N", "One to many (1:N)"], ["N:N", "Many to many (N:N)"], ["1:1", "One to one (1:1)"]];
const LABELS = { name: "API name", from_label: "Label on the from side", to_label: "Label on the to side",
  from_object_id: "From object", to_object_id: "To object", on_delete: "On delete", type: "Kind" };
const labelOf = (f) => LABELS[f] || f;

function sentence(kind, from, to) {
  const a = from?.label || "From", b = to?.label || "To";
  const bs = to?.plural_label || `${b}s`, as = from?.plural_label || `${a}s`;
  if (kind === "1:1") return `Each ${a} has at most one ${b}, and each ${b} at most one ${a}.`;
  if (kind === "1:N") return `Each ${a} has any number of ${bs}; each ${b} has at most one ${a}.`;
  return `Each ${a} has any number of ${bs}, and each ${b} any number of ${as}.`;
}

/** Create (opts.from preselects the from object) or edit (opts.existing) a relationship. */
export async function relationshipDialog({ from, existing }) {
  let objs;
  try {
    objs = await objects();
  } catch (err) {
    toastError(err);
    return undefined;
  }
  const byId = new Map(objs.map((o) => [o.id, o]));
  return modal(existing ? `Edit ${existing.name}` : "New relationship", (close) => {
    const choices = objs.map((o) => [o.id, o.label]);
    const fromSel = select(choices, existing?.from_object_id ?? from ?? objs[0]?.id, { name: "from_object_id", disabled: !!existing });
    const toSel = select(choices, existing?.to_object_id ?? objs.find((o) => o.id !== fromSel.value)?.id, { name: "to_object_id", disabled: !!existing });
    const kind = select(KINDS, existing?.type ?? "1:N", { name: "type", disabled: !!existing });
    const toLabel = h("input", { name: "to_label", value: existing?.to_label ?? "", required: true });
    const fromLabel = h("input", { name: "from_label", value: existing?.from_label ?? "", required: true });
    const name = h("input.mono", { name: "name", value: existing?.name ?? "", required: true });
    const onDelete = select([], existing?.on_delete ?? "unlink", { name: "on_delete" });
    const explain = h("p.explain", { "aria-live": "polite" });
    const toWrap = field("", toLabel, { errorFor: "to_label", required: true });
    const fromWrap = field("", fromLabel, { errorFor: "from_label", required: true });
    const edited = new Set(existing ? ["to_label", "from_label", "name"] : []);
    for (const el of [toLabel, fromLabel, name]) el.addEventListener("input", () => edited.add(el.name));
    const update = () => {
      const a = byId.get(fromSel.value), b = byId.get(toSel.value);
      explain.textContent = sentence(kind.value, a, b);
      const manyTo = kind.value !== "1:1", manyFrom = kind.value === "N:N";
      toWrap.querySelector("label").firstChild.textContent = `On a ${a?.label ?? "from"} record, its ${b?.label ?? "to"} ${manyTo ? "records are" : "record is"} called`;
      fromWrap.querySelector("label").firstChild.textContent = `On a ${b?.label ?? "to"} record, its ${a?.label ?? "from"} ${manyFrom ? "records are" : "record is"} called`;
      if (!edited.has("to_label")) toLabel.value = manyTo ? (b?.plural_label || `${b?.label ?? ""}s`) : (b?.label ?? "");
      if (!edited.has("from_label")) fromLabel.value = manyFrom ? (a?.plural_label || `${a?.label ?? ""}s`) : (a?.label ?? "");
      if (!edited.has("name")) name.value = slugify(`${a?.name ?? ""}_${slugify(toLabel.value)}`);
      const sel = onDelete.value || "unlink";
      clear(onDelete, ...[
        ["unlink", `Unlink — deleting a ${a?.label ?? "record"} only removes its links`],
        ["cascade", `Cascade — deleting a ${a?.label ?? "record"} also moves its ${b?.plural_label ?? "linked records"} to the trash`],
        ["restrict", `Restrict — a ${a?.label ?? "record"} with linked ${b?.plural_label ?? "records"} cannot be deleted`],
      ].map(([v, l]) => h("option", { value: v, selected: v === sel }, l)));
    };
    for (const el of [fromSel, toSel, kind]) el.addEventListener("change", update);
    toLabel.addEventListener("input", () => { if (!edited.has("name")) update(); });
    update();
    const submit = h("button.primary", { type: "submit" }, existing ? "Save relationship" : "Create relationship");
    const form = h("form.modal-body.stack", { novalidate: true }, formSummary(),
      h("div.grid-3",
        field("From object", fromSel, { errorFor: "from_object_id" }),
        field("Kind", kind, { errorFor: "type" }),
        field("To object", toSel, { errorFor: "to_object_id" })),
      explain,
      existing ? h("p.hint", "The objects and the kind of a relationship cannot change after it is made.") : null,
      h("div.grid-2", toWrap, fromWrap),
      field("API name", name, { errorFor: "name", required: true, hint: "Used to expand related records in the API" }),
      field("When a from record is deleted", onDelete, { errorFor: "on_delete" }),
      h("div.actions", h("button", { type: "button", onclick: () => close() }, "Cancel"), submit));
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      clearFormErrors(form);
      const body = { name: name.value.trim(), from_label: fromLabel.value.trim(), to_label: toLabel.value.trim(),
        on_delete: onDelete.value };
      if (!existing) Object.assign(body, { from_object_id: fromSel.value, to_object_id: toSel.value, type: kind.value });
      busy(submit, async () => {
        const saved = existing ? await api.relationships.update(existing.id, body)
          : await api.relationships.create(body);
        invalidate();
        toast(`Relationship ${saved.name} saved`);
        close(saved);
      }).catch((err) => showFormErrors(form, err, labelOf));
    });
    return form;
  }, { wide: true });
}
