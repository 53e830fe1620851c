// The config forms of computed fields: a formula's editor (checked and previewed by the server
// as it is typed: the value comes from PostgreSQL, never from a second evaluator here), a
// lookup's and a rollup's relationship and field. Controls carry data-error-for="config.<key>"
// so a 422 on save lands next to them, as in config.js.

import * as api from "../api.js";
import { schema as loadSchema } from "../state.js";
import { clear, field, h, select } from "../ui.js";
import { display, isComputed, typeLabel } from "./types.js";

const RESULT_TYPES = [["text", "Text"], ["number", "Number"], ["boolean", "Yes / no"],
  ["date", "Date"], ["datetime", "Date and time"]];
const FUNCTIONS = [["count", "Count of records"], ["sum", "Sum"], ["avg", "Average"],
  ["min", "Smallest"], ["max", "Largest"]];
const CHECK_DELAY_MS = 300; // after the last keystroke: one request per pause, not per key

/** The computed types' forms: (config, context) → {el, read()}; context is {object, fields,
 * relationships, editing (the edited field's id, if any)}. */
export const COMPUTED_FORMS = { formula: formulaForm, lookup: lookupForm, rollup: rollupForm };

function formulaForm(config, ctx) {
  const expression = h("textarea.mono.formula-expression", { name: "expression", rows: 4,
    spellcheck: "false", placeholder: "{amount} * {probability} / 100", value: config.expression ?? "" });
  const resultType = select(RESULT_TYPES, config.result_type || "number", { name: "result_type" });
  const sample = select([["", "The first record"]], "", { name: "sample_record" });
  const status = h("div.formula-status", { role: "status", "aria-live": "polite" });
  const insert = (name) => {
    const at = expression.selectionStart ?? expression.value.length;
    const end = expression.selectionEnd ?? at;
    const text = `{${name}}`;
    expression.setRangeText(text, at, end, "end");
    expression.focus();
    schedule();
  };
  const usable = ctx.fields.filter((f) => f.type !== "lookup" && f.id !== ctx.editing);
  const names = h("div.formula-fields", h("span.label", "Insert a field:"), " ",
    usable.map((f) => h("button.small.insert-field", { type: "button", title: `Insert {${f.name}}`,
      onclick: () => insert(f.name) }, f.label)));
  let timer = null;
  let asked = 0;
  const check = async () => {
    const mine = ++asked;
    const body = { expression: expression.value, result_type: resultType.value };
    if (sample.value) body.record_id = sample.value;
    if (ctx.editing) body.field = ctx.editing;
    try {
      const out = await api.objects.checkFormula(ctx.object.id, body);
      if (mine === asked) showChecked(status, expression, out, sample);
    } catch (err) {
      if (mine === asked) showProblems(status, expression, err);
    }
  };
  function schedule() {
    clearTimeout(timer);
    if (!expression.value.trim()) {
      asked++;
      clear(status);
      expression.removeAttribute("aria-invalid");
      return;
    }
    timer = setTimeout(check, CHECK_DELAY_MS);
  }
  expression.addEventListener("input", schedule);
  resultType.addEventListener("change", schedule);
  sample.addEventListener("change", schedule);
  loadSamples(ctx.object, sample);
  if (expression.value.trim()) schedule();
  const el = h("div.stack.formula-form",
    field("Expression", expression, { errorFor: "config.expression",
      hint: "Fields as {name}; functions such as IF, ROUND, CONCAT, DATEADD, TODAY()" }),
    names,
    h("div.grid-2",
      field("Result type", resultType, { errorFor: "config.result_type" }),
      field("Preview on", sample, { hint: "A record to compute the value on" })),
    status);
  return { el, read: () => ({ expression: expression.value, result_type: resultType.value }) };
}

async function loadSamples(object, sample) {
  try {
    const page = await api.records.list(object.name, new URLSearchParams({ limit: "20" }));
    sample.append(...page.items.map((r) => h("option", { value: r.id }, r.primary_value || r.id)));
  } catch {
    // The first record is still previewed; the list is only a choice of others.
  }
}

function showChecked(status, expression, out, sample) {
  expression.removeAttribute("aria-invalid");
  const reads = out.references.length ? ` · reads ${out.references.join(", ")}` : "";
  const when = out.deterministic ? "" : " · changes with the date (TODAY/NOW): cannot be indexed";
  const on = out.record_id === null ? h("p.muted", "No record to preview it on yet.")
    : h("p.formula-preview", "On ", h("strong", sample.selectedOptions[0]?.value
      ? sample.selectedOptions[0].textContent : "the first record"), ": ",
    h("output.formula-value", previewText(out)));
  clear(status, h("p.formula-ok", `✓ Gives ${typeLabel(out.type).toLowerCase()}${reads}${when}`), on);
}

function previewText(out) {
  if (out.value === null) return "(empty)";
  const shown = display({ type: out.type, config: {} }, out.value);
  return shown instanceof Node ? shown.textContent : String(shown);
}

/** Each problem under the editor: its line with a caret under the column it is at. */
function showProblems(status, expression, err) {
  const problems = (err.details || []).filter((d) => d.field === "expression");
  if (!problems.length) {
    clear(status, h("p.field-error", err.message));
    return;
  }
  expression.setAttribute("aria-invalid", "true");
  const lines = expression.value.split("\n");
  clear(status, ...problems.map((p) => {
    if (!Number.isInteger(p.line)) return h("div.formula-error", h("p.field-error", p.message)); // a cycle
    const line = lines[p.line - 1] ?? "";
    const col = Math.max(0, p.column - 1);
    return h("div.formula-error", { dataset: { position: String(p.position) } },
      h("p.field-error", `Line ${p.line}, column ${p.column}: ${p.message}`),
      h("pre.formula-caret", { "aria-hidden": "true" }, line.slice(0, col),
        h("mark", line.slice(col, col + 1) || " "), line.slice(col + 1), "\n",
        " ".repeat(col) + "^"));
  }));
}

/** The relationships of the object, each with the object at its other end. */
function ends(ctx) {
  return ctx.relationships.map((r) => {
    const forward = r.from_object_id === ctx.object.id;
    return { rel: r, other: forward ? r.to_object_id : r.from_object_id,
      label: `${r.name} (${forward ? r.to_label : r.from_label})` };
  });
}

/** A relationship select and a select of the stored fields of the object at its other end. */
function linkPicker(config, ctx, { fieldLabel, optional }) {
  const links = ends(ctx);
  const chosen = links.find((l) => l.rel.name === config.relationship || l.rel.id === config.relationship);
  const relationship = select([["", links.length ? "Choose a relationship…" : "This object has no relationships yet"],
    ...links.map((l) => [l.rel.name, l.label])], chosen?.rel.name ?? "", { name: "relationship" });
  const target = select([["", "Choose the relationship first"]], "", { name: "field" });
  const fill = async () => {
    const link = links.find((l) => l.rel.name === relationship.value);
    if (!link) {
      clear(target, h("option", { value: "" }, "Choose the relationship first"));
      return;
    }
    const other = await loadSchema(link.other);
    const stored = other.fields.filter((f) => !isComputed(f));
    clear(target, h("option", { value: "" }, optional ? "Any (count the records)" : "Choose a field…"),
      ...stored.map((f) => h("option", { value: f.name }, `${f.label} (${typeLabel(f.type)})`)));
    target.value = stored.some((f) => f.name === config.field) ? config.field : "";
  };
  relationship.addEventListener("change", () => fill().catch(() => {}));
  const ready = fill().catch(() => {});
  return {
    ready, relationship, target,
    relationshipField: field("Relationship", relationship, { errorFor: "config.relationship", required: true }),
    targetField: field(fieldLabel, target, { errorFor: "config.field", required: !optional }),
  };
}

function lookupForm(config, ctx) {
  const picker = linkPicker(config, ctx, { fieldLabel: "Field of the linked records" });
  const el = h("div.grid-2.lookup-form", picker.relationshipField, picker.targetField);
  return { el, read: () => ({ relationship: picker.relationship.value, field: picker.target.value }) };
}

function rollupForm(config, ctx) {
  const picker = linkPicker(config, ctx, { fieldLabel: "Of the field", optional: false });
  const fn = select(FUNCTIONS, config.function || "sum", { name: "function" });
  const filter = h("input.mono", { name: "filter", placeholder: "stage=eq.open", value: config.filter ?? "" });
  const showField = () => { picker.targetField.hidden = fn.value === "count"; };
  fn.addEventListener("change", showField);
  showField();
  const el = h("div.stack.rollup-form", h("div.grid-2", picker.relationshipField,
    field("Function", fn, { errorFor: "config.function" }), picker.targetField,
    field("Only linked records where (optional)", filter, { errorFor: "config.filter",
      hint: "A filter as in the API: stage=eq.open, or and=(stage.neq.lost,amount.gt.0)" })));
  return {
    el,
    read() {
      const out = { relationship: picker.relationship.value, function: fn.value };
      if (fn.value !== "count" && picker.target.value) out.field = picker.target.value;
      if (filter.value.trim()) out.filter = filter.value.trim();
      return out;
    },
  };
}
