// Filter operators in words, and their `field=op.value` form in the records API (PostgREST
// dialect). One table: key → how it is written and read back from the URL.

const quote = (v) => `"${String(v).replace(/["\\]/g, (c) => "\\" + c)}"`;

export const OPS = {
  eq: { encode: (v) => `eq.${v}`, decode: /^eq\.(.*)$/s },
  neq: { encode: (v) => `neq.${v}`, decode: /^neq\.(.*)$/s },
  contains: { encode: (v) => `ilike.*${v}*`, decode: /^ilike\.\*(.*)\*$/s },
  starts: { encode: (v) => `ilike.${v}*`, decode: /^ilike\.([^*].*)\*$/s },
  gt: { encode: (v) => `gt.${v}`, decode: /^gt\.(.*)$/s },
  gte: { encode: (v) => `gte.${v}`, decode: /^gte\.(.*)$/s },
  lt: { encode: (v) => `lt.${v}`, decode: /^lt\.(.*)$/s },
  lte: { encode: (v) => `lte.${v}`, decode: /^lte\.(.*)$/s },
  has: { encode: (v) => `cs.{${quote(v)}}`, decode: /^cs\.\{"?(.*?)"?\}$/s },
  yes: { encode: () => "is.true", decode: /^is\.true$/, noValue: true },
  no: { encode: () => "is.false", decode: /^is\.false$/, noValue: true },
  empty: { encode: () => "is.null", decode: /^is\.null$/, noValue: true },
  filled: { encode: () => "not.is.null", decode: /^not\.is\.null$/, noValue: true },
};

const TEXT = [["contains", "contains"], ["eq", "is"], ["neq", "is not"], ["starts", "starts with"],
  ["empty", "is empty"], ["filled", "is not empty"]];
const NUMBER = [["eq", "="], ["neq", "≠"], ["gt", ">"], ["gte", "≥"], ["lt", "<"], ["lte", "≤"],
  ["empty", "is empty"], ["filled", "is not empty"]];
const WHEN = [["eq", "is"], ["lt", "is before"], ["gt", "is after"], ["lte", "is on or before"],
  ["gte", "is on or after"], ["empty", "is empty"], ["filled", "is not empty"]];

const BY_TYPE = {
  number: NUMBER, currency: NUMBER, percent: NUMBER, rating: NUMBER,
  date: WHEN, datetime: WHEN,
  boolean: [["yes", "is yes"], ["no", "is no"], ["empty", "is empty"]],
  select: [["eq", "is"], ["neq", "is not"], ["empty", "is empty"], ["filled", "is not empty"]],
  multi_select: [["has", "has"], ["empty", "is empty"], ["filled", "is not empty"]],
  json: [["empty", "is empty"], ["filled", "is not empty"]],
};

/** [[op key, words], …] that make sense for a field of this type. */
export const operatorsFor = (type) => BY_TYPE[type] || TEXT;

/** A filter {field, op, value} as a query pair. */
export const encode = (f) => [f.field, OPS[f.op].encode(f.value ?? "")];

/** A query pair back to a filter of a known field, or null when it is not one. */
export function decode(name, raw, fieldsByName) {
  const field = fieldsByName.get(name);
  if (!field) return null;
  for (const [op] of operatorsFor(field.type)) {
    const m = OPS[op].decode.exec(raw);
    if (m) return { field: name, op, value: m[1] ?? "" };
  }
  return null;
}
