// Filter conditions in words, and their `field=op.value` form in the records API (PostgREST
// dialect). Which operators a field accepts is the server's rule: each field of the schema
// lists them (`operators`); the admin offers the conditions, of those it can put in words for
// the field's kind of value, whose operator is in that list.

import { valueField } from "./types.js";

const quote = (v) => `"${String(v).replace(/["\\]/g, (c) => "\\" + c)}"`;

/** condition → the PostgREST operator it needs, how it is written, and how it is read back. */
export const OPS = {
  eq: { op: "eq", encode: (v) => `eq.${v}`, decode: /^eq\.(.*)$/s },
  neq: { op: "neq", encode: (v) => `neq.${v}`, decode: /^neq\.(.*)$/s },
  contains: { op: "ilike", encode: (v) => `ilike.*${v}*`, decode: /^ilike\.\*(.*)\*$/s },
  starts: { op: "ilike", encode: (v) => `ilike.${v}*`, decode: /^ilike\.([^*].*)\*$/s },
  gt: { op: "gt", encode: (v) => `gt.${v}`, decode: /^gt\.(.*)$/s },
  gte: { op: "gte", encode: (v) => `gte.${v}`, decode: /^gte\.(.*)$/s },
  lt: { op: "lt", encode: (v) => `lt.${v}`, decode: /^lt\.(.*)$/s },
  lte: { op: "lte", encode: (v) => `lte.${v}`, decode: /^lte\.(.*)$/s },
  has: { op: "cs", encode: (v) => `cs.{${quote(v)}}`, decode: /^cs\.\{"?(.*?)"?\}$/s },
  yes: { op: "is", encode: () => "is.true", decode: /^is\.true$/, noValue: true },
  no: { op: "is", encode: () => "is.false", decode: /^is\.false$/, noValue: true },
  empty: { op: "is", encode: () => "is.null", decode: /^is\.null$/, noValue: true },
  filled: { op: "is", encode: () => "not.is.null", decode: /^not\.is\.null$/, noValue: true },
};

// The words for each kind of value, in the order they are offered (the first is the default).
const EMPTY = [["empty", "is empty"], ["filled", "is not empty"]];
const TEXT = [["contains", "contains"], ["eq", "is"], ["neq", "is not"], ["starts", "starts with"], ...EMPTY];
const NUMBER = [["eq", "="], ["neq", "≠"], ["gt", ">"], ["gte", "≥"], ["lt", "<"], ["lte", "≤"], ...EMPTY];
const WHEN = [["eq", "is"], ["lt", "is before"], ["gt", "is after"], ["lte", "is on or before"],
  ["gte", "is on or after"], ...EMPTY];
// A field type the admin does not know yet: every condition its operators allow, in plain words.
const ANY = [["contains", "contains"], ["eq", "is"], ["neq", "is not"], ["starts", "starts with"],
  ["gt", ">"], ["gte", "≥"], ["lt", "<"], ["lte", "≤"], ["has", "has"], ...EMPTY];

const WORDS = {
  text: TEXT, long_text: TEXT, rich_text: TEXT, email: TEXT, phone: TEXT, url: TEXT,
  number: NUMBER, currency: NUMBER, percent: NUMBER, rating: NUMBER,
  date: WHEN, datetime: WHEN,
  boolean: [["yes", "is yes"], ["no", "is no"], ["empty", "is empty"]],
  select: [["eq", "is"], ["neq", "is not"], ...EMPTY],
  multi_select: [["has", "has"], ...EMPTY],
  json: EMPTY, // no value editor for JSON filters: only presence
  lookup: [], // arrays (cs.["Acme"]): filtered through the API, not in words yet
};

/** [[condition, words], …] that the server accepts for this field and the admin can offer. */
export function operatorsFor(field) {
  const words = WORDS[valueField(field).type] || ANY; // a formula by its result type
  const accepted = new Set(field.operators || []); // GET /api/objects/{id}/schema says them
  return words.filter(([condition]) => accepted.has(OPS[condition].op));
}

/** The fields a filter can be set on: those with at least one condition. */
export const filterableFields = (fields) => fields.filter((f) => operatorsFor(f).length);

/** A filter {field, op, value} as a query pair. */
export const encode = (f) => [f.field, OPS[f.op].encode(f.value ?? "")];

/** A query pair back to a filter of a known field, or null when it is not one. */
export function decode(name, raw, fieldsByName) {
  const field = fieldsByName.get(name);
  if (!field) return null;
  for (const [condition] of operatorsFor(field)) {
    const m = OPS[condition].decode.exec(raw);
    if (m) return { field: name, op: condition, value: m[1] ?? "" };
  }
  return null;
}
