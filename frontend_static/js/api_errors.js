// What an answer of the server means to the admin: its data, or an ApiError whose message (and
// details, one per problem) a person can read. api.js sends; this reads.

export class ApiError extends Error {
  constructor(status, code, message, details = []) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = Array.isArray(details) ? details : [];
  }
}

/** The answer's JSON (null for 204 or an empty body); a refusal thrown as an ApiError. */
export async function parse(response) {
  if (response.status === 204) return null;
  const text = await response.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (response.ok) return data;
  const err = data && data.error;
  if (err && typeof err.message === "string") {
    throw new ApiError(response.status, err.code, err.message, err.details);
  }
  // /rest/v1 answers in PostgREST's shape: {code, message, details, hint} at the top.
  if (data && typeof data.message === "string" && "code" in data) {
    throw new ApiError(response.status, data.code, data.message, data.details);
  }
  throw new ApiError(response.status, "http_" + response.status,
    `The server answered ${response.status} ${response.statusText || ""}`.trim() + ".");
}


// --- words for people --------------------------------------------------------------------------
// The server's details name things by API name (`deal`, `config.options.0.label`); a person
// reads labels and sentences. Screens teach the labels they know (learnLabels); the rest are
// made readable from the names.

const labels = new Map();

/** Remember how objects and fields are called ({name, label} each), for error sentences. */
export function learnLabels(items) {
  for (const item of items || []) if (item?.name && item?.label) labels.set(item.name, item.label);
}

const titled = (name) => labels.get(name) || String(name).replace(/_/g, " ").replace(/^./, (c) => c.toUpperCase());
const listed = (names) => names.map(titled).join(", ");

/** Sentences for a whole error whose details all say one thing ("used by these objects"). */
const WHOLE = {
  in_use(err, details) {
    const subject = /^\w+ '([^']+)'/.exec(err.message)?.[1];
    const n = details.length;
    const names = listed(details.map((d) => d.message));
    const who = `${n} ${n === 1 ? "object" : "objects"}: ${names}`;
    return [subject ? `‘${titled(subject)}’ is used by ${who}. Remove it from ${n === 1 ? names : "them"} first.`
      : `Used by ${who}.`];
  },
};

/** Sentences for one problem, by its code; `where` is the readable name of its field. */
const ONE = {
  taken: (where) => `${where} is already taken.`,
  required: (where) => `${where} is required.`,
  missing: (where) => `${where} is required.`,
  not_an_option: (where, d) => `${where}: ${d.message}`,
};

/**
 * An error as lines a person reads: the server's message, then one line per problem
 * ("Label: must not be empty"), or one sentence when all the problems say one thing.
 */
export function readable(err, labelOf = (f) => f) {
  if (!err) return [];
  const details = Array.isArray(err.details) ? err.details : [];
  const codes = new Set(details.map((d) => d.code));
  if (details.length && codes.size === 1 && WHOLE[details[0].code]) return WHOLE[details[0].code](err, details);
  const lines = [err.message || String(err)];
  for (const d of details) {
    const where = d.field ? labelOf(d.field) : "";
    lines.push(ONE[d.code] && where ? ONE[d.code](where, d) : `${where ? `${where}: ` : ""}${d.message || d.code}`);
  }
  return lines;
}
