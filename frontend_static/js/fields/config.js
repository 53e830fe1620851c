// The config form of each field type: limits, pattern, precision, currency, options… Each
// control carries data-error-for="config.<key>" so the server's 422 lands next to it.

import { checkbox, field, h, nextId } from "../ui.js";
import { COMPUTED_FORMS } from "./computed.js";
import { editor, LocalError } from "./types.js";
import { optionsEditor } from "./options.js";

const CURRENCIES = ["USD", "EUR", "GBP", "JPY", "CHF", "CAD", "AUD", "CNY", "INR", "BRL", "SEK", "NOK", "DKK", "PLN", "MXN"];

const num = (label, key, hint) => ({ key, label, hint, kind: "number" });
const int = (label, key, hint) => ({ key, label, hint, kind: "int" });
const str = (label, key, hint, extra = {}) => ({ key, label, hint, kind: "text", ...extra });

const SPECS = {
  text: [int("Minimum length", "min_length"), int("Maximum length", "max_length", "Default 255 characters"),
    str("Pattern (regular expression)", "pattern", "Values must match it, e.g. ^[A-Z]{2}-\\d+$", { mono: true })],
  long_text: [int("Maximum length", "max_length", "Default 100,000 characters")],
  rich_text: [int("Maximum length", "max_length")],
  number: [num("Minimum", "min"), num("Maximum", "max"), int("Decimal places", "precision"),
    { key: "integer", label: "Whole numbers only", kind: "bool" }],
  currency: [str("Currency code", "currency_code", "ISO 4217, e.g. EUR", { list: CURRENCIES, upper: true }),
    int("Decimal places", "precision", "Default 2"), num("Minimum", "min"), num("Maximum", "max")],
  percent: [num("Minimum", "min"), num("Maximum", "max"), int("Decimal places", "precision")],
  date: [{ key: "min", label: "Earliest date", kind: "date" }, { key: "max", label: "Latest date", kind: "date" }],
  datetime: [{ key: "min", label: "Earliest", kind: "datetime" }, { key: "max", label: "Latest", kind: "datetime" }],
  phone: [str("Default region", "default_region", "Two letters, e.g. FR: numbers without +CC are read as from there", { upper: true })],
  url: [{ key: "schemes", label: "Allowed schemes", kind: "list", hint: "Comma-separated; default http, https" }],
  multi_select: [int("At least (choices)", "min_items"), int("At most (choices)", "max_items")],
  rating: [int("Maximum stars", "max", "Default 5")],
  json: [{ key: "schema", label: "JSON Schema", kind: "json", hint: "Values must satisfy it. Leave empty for any JSON." }],
  // Computed types have their own forms (computed.js) on an object; these plain ones serve the
  // field library, where no object gives the fields and relationships to choose from.
  formula: [str("Expression", "expression", "Fields as {name}", { mono: true }),
    str("Result type", "result_type", "text, number, boolean, date or datetime", { list: ["text", "number", "boolean", "date", "datetime"] })],
  lookup: [str("Relationship", "relationship"), str("Field of the linked records", "field")],
  rollup: [str("Relationship", "relationship"),
    str("Function", "function", "count, sum, avg, min or max", { list: ["count", "sum", "avg", "min", "max"] }),
    str("Field", "field"), str("Only linked records where", "filter", "e.g. stage=eq.open", { mono: true })],
  autonumber: [str("Prefix", "prefix", "e.g. INV-; makes the number text", { mono: true }),
    int("Digits", "digits", "Pads with zeros: 4 gives 0042 (never cuts)"), int("Start at", "start", "Default 1")],
};
// Types whose values no one types in: no default, help text or placeholder to set.
const SERVER_MADE = new Set(["formula", "lookup", "rollup", "autonumber"]);

function control(spec, value) {
  const attrs = { name: spec.key };
  switch (spec.kind) {
    case "bool": return checkbox(spec.label, value === true).box;
    case "json": return h("textarea.mono", { ...attrs, rows: 6, value: value === undefined ? "" : JSON.stringify(value, null, 2) });
    case "list": return h("input", { ...attrs, value: Array.isArray(value) ? value.join(", ") : "" });
    case "date": return h("input", { ...attrs, type: "date", value: value ?? "" });
    case "datetime": return h("input", { ...attrs, placeholder: "2026-01-31T09:00:00Z", value: value ?? "" });
    default: {
      const el = h(`input${spec.mono ? ".mono" : ""}`, { ...attrs, value: value ?? "",
        inputmode: spec.kind === "int" ? "numeric" : spec.kind === "number" ? "decimal" : undefined });
      if (spec.list) {
        const id = nextId("dl");
        el.setAttribute("list", id);
        el.datalist = h("datalist", { id }, spec.list.map((c) => h("option", { value: c })));
      }
      return el;
    }
  }
}

function readSpec(spec, el) {
  if (spec.kind === "bool") return el.checked ? true : undefined;
  const text = el.value.trim();
  if (text === "") return undefined;
  switch (spec.kind) {
    case "int": case "number": {
      const n = Number(text);
      if (!Number.isFinite(n) || (spec.kind === "int" && !Number.isInteger(n))) {
        throw new LocalError(spec.kind === "int" ? "must be a whole number" : "must be a number");
      }
      return n;
    }
    case "list": return text.split(",").map((s) => s.trim()).filter(Boolean);
    case "json":
      try {
        return JSON.parse(text);
      } catch (err) {
        throw new LocalError(`not valid JSON (${err.message})`);
      }
    default: return spec.upper ? text.toUpperCase() : text;
  }
}

/**
 * The config form for `type`, filled from `config`. read() → the config object, or throws
 * {details:[{field, message}]} for values that cannot be sent. `context` ({object, fields,
 * relationships, editing}: the object's schema) is what computed types choose from.
 */
export function configForm(type, config = {}, context = null) {
  if (COMPUTED_FORMS[type] && context) return COMPUTED_FORMS[type](config, context);
  const rows = [];
  const readers = [];
  for (const spec of SPECS[type] || []) {
    const el = control(spec, config[spec.key]);
    const wrap = spec.kind === "bool" ? h("div.form-field", el.parentElement, errorSlot(spec.key))
      : field(spec.label, el, { hint: spec.hint, errorFor: `config.${spec.key}` });
    if (el.datalist) wrap.append(el.datalist);
    rows.push(wrap);
    readers.push([spec.key, () => readSpec(spec, el)]);
  }
  let options = null;
  if (type === "select" || type === "multi_select") {
    options = optionsEditor(config.options || []);
  }
  const common = SERVER_MADE.has(type) ? { el: null, read: () => ({}) } : commonFields(type, config);
  const el = h("div.config-form.stack", options?.el, rows.length ? h("div.grid-2", rows) : null, common.el);
  return {
    el,
    read() {
      const out = {};
      const problems = [];
      if (options) out.options = options.read();
      for (const [key, read] of readers) {
        try {
          const v = read();
          if (v !== undefined) out[key] = v;
        } catch (err) {
          problems.push({ field: `config.${key}`, code: "local", message: err.message });
        }
      }
      Object.assign(out, common.read(problems));
      if (problems.length) throw Object.assign(new Error(`${problems.length} value(s) to fix`), { details: problems });
      return out;
    },
  };
}

function errorSlot(key) {
  const slot = h("p.field-error", { dataset: { errorFor: `config.${key}` } });
  slot.hidden = true;
  return slot;
}

/** default, help_text and placeholder, which every type takes. */
function commonFields(type, config) {
  const help = h("input", { name: "help_text", value: config.help_text ?? "" });
  const placeholder = h("input", { name: "placeholder", value: config.placeholder ?? "" });
  const def = editor({ type, label: "Default value", config }, config.default, { name: "default" });
  const defWrap = type === "multi_select"
    ? h("div.form-field", h("span.label", "Default value"), def.el, errorSlot("default"))
    : field("Default value", def.control, { errorFor: "config.default", hint: "Filled in when a new record has no value" });
  const el = h("details.more", h("summary", "Default, help text, placeholder"),
    h("div.grid-2", defWrap,
      field("Help text", help, { errorFor: "config.help_text", hint: "Shown under the input" }),
      field("Placeholder", placeholder, { errorFor: "config.placeholder" })));
  if (config.default !== undefined || config.help_text || config.placeholder) el.open = true;
  return {
    el,
    read(problems) {
      const out = {};
      if (help.value.trim()) out.help_text = help.value.trim();
      if (placeholder.value.trim()) out.placeholder = placeholder.value.trim();
      try {
        const v = def.read();
        if (v !== null) out.default = v;
      } catch (err) {
        problems.push({ field: "config.default", code: "local", message: err.message });
      }
      return out;
    },
  };
}
