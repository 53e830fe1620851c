// Dialogs that say what a schema change touches before it is made: how many records use a
// field or an option (GET …/usage), where removed options' values go (option_map), which field
// names records once the primary one goes, and typing an object's name before deleting it.

import * as api from "../api.js";
import { field, h, modal, select } from "../ui.js";

const CHOICES = new Set(["select", "multi_select"]);

/** "1 deal" / "37 deals": the object's singular or plural label, lower-cased. */
export function countOf(n, obj) {
  const one = (obj?.label || "record").toLowerCase();
  const many = (obj?.plural_label || (obj ? `${obj.label}s` : "records")).toLowerCase();
  return `${n} ${n === 1 ? one : many}`;
}

/** "37 deals use this field" (or that none do). */
export function usageSentence(usage, obj, what = "this field") {
  const n = usage.records_with_value;
  if (!n) return `No ${countOf(2, obj).replace(/^2 /, "")} use ${what} yet.`;
  return `${countOf(n, obj)} ${n === 1 ? "uses" : "use"} ${what}.`;
}

/** The options of `before` missing from `after` that live records still use (count > 0). */
export function removedInUse(usage, after) {
  const kept = new Set(after.map((o) => o.value));
  return usage.options.filter((o) => !kept.has(o.value) && o.count > 0);
}

/**
 * Ask where the values of removed options go: each to a remaining option or to empty.
 * Resolves with the option_map {old: new | null}, or undefined when cancelled.
 */
export function optionMapDialog(removed, remaining, obj) {
  return modal("Options in use", (close) => {
    const choices = [["", "Empty (no value)"], ...remaining.map((o) => [o.value, o.label || o.value])];
    const pickers = removed.map((o) => select(choices, "", { name: `map-${o.value}`, "aria-label": `New value for ${o.label}` }));
    const rows = removed.map((o, i) => h("li.option-map-row",
      h("p", `${countOf(o.count, obj)} ${o.count === 1 ? "uses" : "use"} ‘${o.label}’. Give them:`), pickers[i]));
    const apply = () => close(Object.fromEntries(removed.map((o, i) => [o.value, pickers[i].value || null])));
    return h("div.modal-body.stack",
      h("p", "You removed options that records still hold. Choose what those records get instead; " +
        "they change together with the field."),
      h("ul.plain.option-map", rows),
      h("div.actions", h("button", { type: "button", onclick: () => close(undefined) }, "Cancel"),
        h("button.primary", { type: "button", onclick: apply }, "Save and update records")));
  });
}

/**
 * Before saving a choice field's new config: when options that live records use are gone, ask
 * where their values go. Resolves with the extra body keys ({} or {option_map}), or undefined
 * when the user cancels. `obj` names the records when the field is on that object only.
 */
export async function optionMapFor(field, config, obj) {
  if (!CHOICES.has(field.type) || !Array.isArray(config.options)) return {};
  const usage = await api.fields.usage(field.id);
  const removed = removedInUse(usage, config.options);
  if (!removed.length) return {};
  const map = await optionMapDialog(removed, config.options, usage.objects === 1 ? obj : null);
  return map ? { option_map: map } : undefined;
}

/**
 * Confirm removing a field from an object, saying how many records hold a value; when it is the
 * primary field, the user must choose the field that names records from now on.
 * Resolves with {primary: field id | undefined} or undefined when cancelled.
 */
export function detachDialog(s, f, usage, isPrimary) {
  return modal(`Remove ${f.label}?`, (close) => {
    const others = s.fields.filter((o) => o.id !== f.id);
    const picker = isPrimary && others.length
      ? select([["", "Choose a field…"], ...others.map((o) => [o.id, o.label])], "", { name: "new_primary" })
      : null;
    const confirm = h("button.danger", { type: "button", disabled: !!picker,
      onclick: () => close({ primary: picker?.value || undefined }) }, "Remove field");
    picker?.addEventListener("change", () => { confirm.disabled = !picker.value; });
    return h("div.modal-body.stack",
      h("p.usage", usageSentence(usage, s.object)),
      h("p", `${f.label} will no longer be part of ${s.object.label}. Values already stored stay in the records ` +
        "and come back if you add the field again. The field stays in the field library."),
      picker ? field("New primary field", picker, { required: true,
        hint: `${f.label} names each ${s.object.label.toLowerCase()} in links and search; choose the field that does instead.` }) : null,
      h("div.actions", h("button", { type: "button", onclick: () => close(undefined) }, "Cancel"), confirm));
  });
}

/** Delete an object only once its name is typed; says what goes with it. Resolves true/false. */
export function typedDeleteDialog(obj, usage) {
  return modal(`Delete ${obj.label}?`, (close) => {
    const input = h("input.mono", { name: "confirm_name", autocomplete: "off", spellcheck: "false" });
    const confirm = h("button.danger", { type: "button", disabled: true, onclick: () => close(true) },
      `Delete ${obj.label}`);
    input.addEventListener("input", () => { confirm.disabled = input.value.trim() !== obj.name; });
    const links = usage.links === 1 ? "1 link" : `${usage.links} links`;
    const rels = usage.relationships === 1 ? "1 relationship" : `${usage.relationships} relationships`;
    const trashed = usage.trashed_records ? ` (and ${usage.trashed_records} in the trash)` : "";
    return h("div.modal-body.stack",
      h("p.usage", `This deletes ${countOf(usage.records, obj)}${trashed}, ${rels} and ${links}, for good. It cannot be undone.`),
      field(["Type ", h("code", obj.name), " to confirm"], input),
      h("div.actions", h("button", { type: "button", onclick: () => close(false) }, "Cancel"), confirm));
  });
}
