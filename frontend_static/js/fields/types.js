// The field types as a person meets them: a name, how a value is shown, and how it is edited.

import { fmtDate, fmtDateTime, h, select } from "../ui.js";

export const TYPES = [
  ["text", "Text", "One line: names, titles, codes"],
  ["long_text", "Long text", "Several lines of plain text"],
  ["rich_text", "Rich text", "Formatted text (HTML, cleaned by the server)"],
  ["number", "Number", "Integers or decimals, with limits"],
  ["currency", "Currency", "An amount in one currency"],
  ["percent", "Percent", "A percentage"],
  ["boolean", "Yes / no", "A checkbox"],
  ["date", "Date", "A calendar day"],
  ["datetime", "Date and time", "A moment, with its time zone"],
  ["email", "E-mail", "An e-mail address (stored lower-case)"],
  ["phone", "Phone", "A phone number (stored as +CC…)"],
  ["url", "URL", "A web address"],
  ["select", "Select", "One option from a list"],
  ["multi_select", "Multi-select", "Several options from a list"],
  ["rating", "Rating", "Stars, 1 to a maximum"],
  ["json", "JSON", "Any JSON, optionally checked by a JSON Schema"],
  ["formula", "Formula", "Computed from this record's fields: {amount} * {probability} / 100"],
  ["lookup", "Lookup", "The values of a field of the linked records"],
  ["rollup", "Rollup", "A count, sum, average, min or max over the linked records"],
  ["autonumber", "Autonumber", "A number given to each new record: INV-0001, INV-0002…"],
];

const TYPE_LABELS = Object.fromEntries(TYPES.map(([t, l]) => [t, l]));
export const typeLabel = (type) => TYPE_LABELS[type] || type;

export class LocalError extends Error {}

const NUMERIC = new Set(["number", "currency", "percent", "rating"]);
// Values PostgreSQL computes when a record is read: shown, never edited.
const COMPUTED = new Set(["formula", "lookup", "rollup"]);
export const isComputed = (field) => COMPUTED.has(field.type);
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The field as its values are: a formula's are its result type's, a count, sum or average
 * rollup's numbers, an autonumber's text (with a prefix or digits) or whole numbers. The grid,
 * the filters and the views show and filter computed fields through it; other fields are
 * what they are.
 */
export function valueField(field) {
  const c = field.config || {};
  const as = (type) => ({ ...field, type, config: {} });
  if (field.type === "formula") return as(c.result_type || "text");
  if (field.type === "rollup" && ["count", "sum", "avg"].includes(c.function)) return as("number");
  if (field.type === "autonumber") return as(c.prefix || c.digits != null ? "text" : "number");
  return field;
}
const options = (field) => (Array.isArray(field.config?.options) ? field.config.options : []);

function optionLabel(field, value) {
  return options(field).find((o) => o.value === value)?.label ?? String(value);
}

function pill(field, value) {
  const opt = options(field).find((o) => o.value === value);
  const el = h("span.pill", opt?.label ?? String(value));
  if (opt?.color) el.style.setProperty("--pill", opt.color);
  return el;
}

function number(field, value) {
  const c = field.config || {};
  const digits = Number.isInteger(c.precision) ? { minimumFractionDigits: c.precision, maximumFractionDigits: c.precision } : {};
  try {
    if (field.type === "currency" && c.currency_code) {
      return new Intl.NumberFormat(undefined, { style: "currency", currency: c.currency_code, ...digits }).format(value);
    }
  } catch {
    // An unknown currency code: show the plain number below.
  }
  const text = new Intl.NumberFormat(undefined, digits).format(value);
  return field.type === "percent" ? `${text} %` : text;
}

function stripTags(html) {
  return new DOMParser().parseFromString(String(html), "text/html").body.textContent || "";
}

/** A value as the person reads it (a string or a node); "" for no value. */
export function display(field, value, { links = true } = {}) {
  if (value === null || value === undefined || value === "") return "";
  field = valueField(field);
  switch (field.type) {
    case "boolean": return value ? "Yes" : "No";
    case "select": return pill(field, value);
    case "multi_select": return h("span.pills", (Array.isArray(value) ? value : [value]).map((v) => pill(field, v)));
    case "rating": {
      const max = field.config?.max || 5;
      return h("span.stars", { role: "img", "aria-label": `${value} out of ${max}` },
        "★".repeat(value) + "☆".repeat(Math.max(0, max - value)));
    }
    case "number": case "currency": case "percent":
      return typeof value === "number" ? number(field, value) : String(value);
    case "date": return fmtDate(value);
    case "datetime": return fmtDateTime(value);
    case "url": return links && /^https?:\/\//i.test(value)
      ? h("a", { href: value, target: "_blank", rel: "noopener noreferrer" }, value) : String(value);
    case "email": return links ? h("a", { href: `mailto:${value}` }, value) : String(value);
    case "rich_text": return stripTags(value);
    case "json": return JSON.stringify(value);
    case "lookup": return (Array.isArray(value) ? value : [value])
      .map((v) => (typeof v === "object" && v !== null ? JSON.stringify(v) : String(v))).join(", ");
    case "rollup": // min or max: a number, or a date or datetime of the linked records
      if (typeof value === "number") return number(field, value);
      return DAY.test(value) ? fmtDate(value) : fmtDateTime(value);
    default: return String(value);
  }
}

/** Plain text of a value (for titles and history). */
export function displayText(field, value) {
  if (field.type === "multi_select" && Array.isArray(value)) return value.map((v) => optionLabel(field, v)).join(", ");
  const shown = display(field, value);
  return shown instanceof Node ? shown.textContent : shown;
}

function localDateTime(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

function readNumber(text) {
  const t = text.trim();
  if (t === "") return null;
  const n = Number(t);
  return Number.isFinite(n) ? n : t; // the server says what is wrong with a non-number
}

/**
 * An editor for one value: {el, control, read()}; read() gives the JSON value (null = none)
 * or throws LocalError for what cannot even be sent (JSON that does not parse).
 */
export function editor(field, value, attrs = {}) {
  const t = field.type;
  const placeholder = field.config?.placeholder;
  if (t === "boolean") {
    const el = select([["", "—"], ["true", "Yes"], ["false", "No"]], value === true ? "true" : value === false ? "false" : "", attrs);
    return { el, control: el, read: () => (el.value === "" ? null : el.value === "true") };
  }
  if (t === "select" || t === "rating") {
    const choices = t === "select" ? options(field).map((o) => [o.value, o.label])
      : Array.from({ length: field.config?.max || 5 }, (_, i) => [String(i + 1), `${"★".repeat(i + 1)} (${i + 1})`]);
    const el = select([["", "—"], ...choices], value ?? "", attrs);
    return { el, control: el, read: () => (el.value === "" ? null : t === "rating" ? Number(el.value) : el.value) };
  }
  if (t === "multi_select") return multiEditor(field, value, attrs);
  if (t === "long_text" || t === "rich_text" || t === "json") {
    const text = t === "json" ? (value === undefined || value === null ? "" : JSON.stringify(value, null, 2)) : value ?? "";
    const el = h("textarea", { rows: t === "json" ? 4 : 3, placeholder, ...attrs, value: text });
    return { el, control: el, read: () => readText(t, el.value) };
  }
  const kinds = { date: "date", datetime: "datetime-local" };
  const inputmode = NUMERIC.has(t) ? "decimal" : { email: "email", phone: "tel", url: "url" }[t];
  const initial = t === "datetime" && value ? localDateTime(value) : value ?? "";
  const el = h("input", { type: kinds[t] || "text", inputmode, placeholder, autocomplete: "off",
    step: t === "datetime" ? "1" : undefined, ...attrs, value: initial });
  return { el, control: el, read: () => readInput(t, el.value) };
}

function readText(type, text) {
  if (type !== "json") return text === "" ? null : text;
  if (text.trim() === "") return null;
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new LocalError(`not valid JSON (${err.message})`);
  }
}

function readInput(type, text) {
  if (NUMERIC.has(type)) return readNumber(text);
  if (text === "") return null;
  if (type === "datetime") {
    const d = new Date(text);
    return Number.isNaN(d.getTime()) ? text : d.toISOString();
  }
  return text;
}

function multiEditor(field, value, attrs) {
  const chosen = new Set(Array.isArray(value) ? value : []);
  const boxes = options(field).map((o) => {
    const input = h("input", { type: "checkbox", value: o.value, checked: chosen.has(o.value) });
    return h("label.check", input, " ", o.label);
  });
  const el = h("fieldset.multi", { ...attrs, id: undefined }, h("legend.visually-hidden", field.label), boxes);
  if (!boxes.length) el.append(h("p.muted", "This field has no options yet."));
  const control = el.querySelector("input") || el;
  if (attrs.id && control !== el) control.id = attrs.id;
  return {
    el, control,
    read: () => {
      const values = [...el.querySelectorAll("input:checked")].map((i) => i.value);
      return values.length ? values : null;
    },
  };
}

export { optionLabel };
