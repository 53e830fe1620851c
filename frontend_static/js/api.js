// The one door to the server: every endpoint the admin calls (one function each, grouped by
// resource), sent with the signed-in user's token, JSON in and out, every failure turned into an
// ApiError whose message a person can read. A 401 refreshes once.

import { ApiError, parse } from "./api_errors.js";
import { getSession, readSession, secondsLeft, setSession } from "./session.js";

export { ApiError, getSession, setSession };

let onSignedOut = () => {};
let refreshing = null;

/** Called when the server refuses our credential and refreshing does not help. */
export function onUnauthenticated(callback) {
  onSignedOut = callback;
}

function url(path, query) {
  const u = new URL(path, location.origin);
  for (const [key, value] of query || []) {
    if (value !== undefined && value !== null && value !== "") u.searchParams.append(key, value);
  }
  return u.pathname + u.search;
}

async function send(method, path, { body, query, headers = {}, auth = true } = {}) {
  const h = { Accept: "application/json", ...headers };
  // A FormData body (an upload) sets its own multipart Content-Type with the boundary.
  const form = body instanceof FormData;
  if (body !== undefined && !form) h["Content-Type"] = "application/json";
  const session = readSession();
  if (auth && session?.access_token) h.Authorization = `Bearer ${session.access_token}`;
  const pairs = query instanceof URLSearchParams ? [...query] : Object.entries(query || {});
  try {
    return await fetch(url(path, pairs), {
      method, headers: h, body: body === undefined || form ? body : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, "network", "The server could not be reached. Check your connection and try again.");
  }
}

/** Trade the refresh token for a new pair. The server treats two refreshes with one token as
 * theft (it revokes the sign-in), so refreshes are serialised: one at a time in this tab, and
 * across tabs with a Web Lock; whoever waited finds the new pair already stored and reuses it. */
function refresh(usedAccess) {
  refreshing ||= withLock(async () => {
    const session = readSession();
    if (!session?.refresh_token) return false;
    if (session.access_token !== usedAccess) return true; // another tab refreshed meanwhile
    const r = await send("POST", "/api/auth/refresh",
      { body: { refresh_token: session.refresh_token }, auth: false });
    if (!r.ok) return false;
    setSession(await r.json());
    return true;
  }).finally(() => { refreshing = null; });
  return refreshing;
}

function withLock(work) {
  return navigator.locks ? navigator.locks.request("objectry-refresh", work) : work();
}

/** The access token for a connection that outlives requests (realtime.js): refreshed first when
 * it expires within a minute, since a socket is not retried on 401 as a request is. null when
 * signed out or the refresh is refused. */
export async function accessToken() {
  const token = readSession()?.access_token;
  if (!token) return null;
  if (secondsLeft(token) < 60 && !await refresh(token)) return null;
  return readSession()?.access_token || null;
}

/** request("GET", "/api/objects", {query, body, headers}) → parsed JSON (null for 204).
 * A 401 refreshes the session once and retries; if still refused the session is dropped and,
 * unless `quiet`, the app is told (it shows the sign-in screen). */
async function request(method, path, options = {}) {
  return parse(await exchange(method, path, options));
}

/** The raw response of a request, after the one refresh a 401 earns (see `request`). */
async function exchange(method, path, options = {}) {
  const used = readSession()?.access_token;
  let response = await send(method, path, options);
  if (response.status === 401 && options.auth !== false) {
    if (used && await refresh(used)) response = await send(method, path, options);
    if (response.status === 401) {
      setSession(null);
      if (!options.quiet) onSignedOut();
    }
  }
  return response;
}

/** A file the server sends (an export): `{blob, filename}` from Content-Disposition. Fetched
 * rather than linked, since only a request carries the session's Authorization header. */
async function download(path, query) {
  const response = await exchange("GET", path, { query, headers: { Accept: "*/*" } });
  if (!response.ok) await parse(response);
  const named = /filename="?([^";]+)"?/.exec(response.headers.get("Content-Disposition") || "");
  return { blob: await response.blob(), filename: named ? named[1] : "export" };
}

// --- the endpoints ---------------------------------------------------------------------------
// Every URL the admin calls is spelled here, once: screens call these functions and never
// write a path. Ids and names are path-encoded; query values are sent as given.

const get = (path, query, options = {}) => request("GET", path, { ...options, query });
const post = (path, body, options = {}) => request("POST", path, { ...options, body });
const patch = (path, body, options = {}) => request("PATCH", path, { ...options, body });
const del = (path, options = {}) => request("DELETE", path, options);
const enc = encodeURIComponent;

/** Every item of a paged list (`{items, next_cursor}`), following cursors. */
async function all(path, query = {}) {
  const items = [];
  let cursor = null;
  do {
    const page = await get(path, { ...query, limit: 1000, cursor });
    items.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor);
  return items;
}

/** The query `params` (URLSearchParams or a plain object) with the keys of `extra` set. */
function withPairs(params, extra) {
  const pairs = params instanceof URLSearchParams ? [...params] : Object.entries(params || {});
  const q = new URLSearchParams(pairs.map(([key, value]) => [key, value ?? ""]));
  for (const [key, value] of Object.entries(extra)) q.set(key, value);
  return q;
}

export const auth = {
  /** Who is signed in; quiet: a 401 here is an answer, not a reason to show the sign-in. */
  me: () => get("/api/auth/me", undefined, { quiet: true }),
  login: (email, password) => post("/api/auth/login", { email, password }, { auth: false }),
  register: (body) => post("/api/auth/register", body, { auth: false }),
  logout: () => post("/api/auth/logout"),
};

export const objects = {
  all: () => all("/api/objects"),
  create: (body) => post("/api/objects", body),
  update: (id, body) => patch(`/api/objects/${enc(id)}`, body),
  remove: (id) => del(`/api/objects/${enc(id)}`),
  /** The object with its fields (each with the filter `operators` its type accepts) and relationships. */
  schema: (ref) => get(`/api/objects/${enc(ref)}/schema`),
  /** A new field, attached to the object at once. */
  addField: (id, body) => post(`/api/objects/${enc(id)}/fields`, body),
  /** A draft formula checked, and computed by PostgreSQL on a sample record (or a 422 with positions). */
  checkFormula: (id, body) => post(`/api/objects/${enc(id)}/formula/check`, body),
  /** The address an app would read first, for the "try it" line next to a new token. */
  href: () => new URL("/api/objects", location.origin).href,
  /** The data API address of an object's first record, for a token that reads records. */
  restHref: (name) => new URL(`/rest/v1/${enc(name)}?limit=1`, location.origin).href,
  /** What deleting the object takes along: {records, trashed_records, relationships, links}. */
  usage: (id) => get(`/api/objects/${enc(id)}/usage`),
};

export const fields = {
  all: (query = {}) => all("/api/fields", query),
  get: (id) => get(`/api/fields/${enc(id)}`),
  create: (body) => post("/api/fields", body),
  update: (id, body) => patch(`/api/fields/${enc(id)}`, body),
  remove: (id) => del(`/api/fields/${enc(id)}`),
  /** Live records holding a value, on every object using it: {records_with_value, total_records, options, objects}. */
  usage: (id) => get(`/api/fields/${enc(id)}/usage`),
};

/** A library field on one object, with its flags (required, visible, order…). */
export const objectFields = {
  attach: (body) => post("/api/object-fields", body),
  update: (id, body) => patch(`/api/object-fields/${enc(id)}`, body),
  detach: (id) => del(`/api/object-fields/${enc(id)}`),
  /** The object's live records holding a value, per option for choices: {records_with_value, total_records, options}. */
  usage: (id) => get(`/api/object-fields/${enc(id)}/usage`),
};

export const relationships = {
  all: () => all("/api/relationships"),
  create: (body) => post("/api/relationships", body),
  update: (id, body) => patch(`/api/relationships/${enc(id)}`, body),
  remove: (id) => del(`/api/relationships/${enc(id)}`),
};

/** The links between two records through a relationship. */
export const links = {
  all: (query) => all("/api/relationship-records", query),
  create: (body) => post("/api/relationship-records", body),
  remove: (id) => del(`/api/relationship-records/${enc(id)}`),
};

export const records = {
  /** A page of an object's records: filters, order, q, limit, cursor, count as in `params`. */
  list: (object, params) => get("/api/records", withPairs(params, { object })),
  /** A page of the object's trash, with the same filters, order and cursor as `list`. */
  listTrash: (object, params) => get("/api/records", withPairs(params, { object, trash: "only" })),
  get: (id, query) => get(`/api/records/${enc(id)}`, query),
  create: (object, data) => post("/api/records", { object, data }),
  /** Change some values; with `version`, only if nobody changed the record since (else 412). */
  update: (id, data, version) => patch(`/api/records/${enc(id)}`, { data },
    version === undefined ? {} : { headers: { "If-Match": String(version) } }),
  moveToTrash: (id) => del(`/api/records/${enc(id)}`),
  restore: (id) => post(`/api/records/${enc(id)}/restore`),
  purge: (id) => del(`/api/records/${enc(id)}`, { query: { permanent: "true" } }),
  history: (id, query) => get(`/api/records/${enc(id)}/history`, query),
  /** Rows of the data API (`/rest/v1`): `select` with embeds, filters such as `id=in.(…)`. */
  rows: (object, params) => get(`/rest/v1/${enc(object)}`, params),
  /** One PATCH of every record the filters match (all or nothing); the updated rows back. */
  updateWhere: (object, params, data) => request("PATCH", `/rest/v1/${enc(object)}`,
    { query: params, body: data, headers: { Prefer: "return=representation" } }),
  /** Move every record the filters match to the trash, in one request. */
  trashWhere: (object, params) => request("DELETE", `/rest/v1/${enc(object)}`, { query: params }),
  /** Live records counted up to `cap` (the first `cap` ids of one index): cheap at any size. */
  countUpTo: async (object, cap) => (await get(`/rest/v1/${enc(object)}`, { select: "id", limit: cap })).length,
};

/** Saved views of an object's records (filter, order, columns; grid, kanban or calendar). */
export const views = {
  list: (object) => get("/api/views", { object, limit: 1000 }),
  create: (body) => post("/api/views", body),
  update: (id, body) => patch(`/api/views/${enc(id)}`, body),
  remove: (id) => del(`/api/views/${enc(id)}`),
};

export const tokens = {
  list: () => get("/api/tokens", { limit: 1000 }),
  create: (body) => post("/api/tokens", body),
  revoke: (id) => del(`/api/tokens/${enc(id)}`),
};

const workspace = (id) => `/api/workspaces/${enc(id)}`;

export const members = {
  list: (workspaceId) => get(`${workspace(workspaceId)}/members`, { limit: 1000 }),
  /** Invite someone: the answer carries the invitation and its join token. */
  invite: (workspaceId, body) => post(`${workspace(workspaceId)}/members`, body),
  update: (workspaceId, userId, body) => patch(`${workspace(workspaceId)}/members/${enc(userId)}`, body),
  remove: (workspaceId, userId) => del(`${workspace(workspaceId)}/members/${enc(userId)}`),
};

export const invitations = {
  pending: (workspaceId) => all(`${workspace(workspaceId)}/invitations`),
  revoke: (workspaceId, id) => del(`${workspace(workspaceId)}/invitations/${enc(id)}`),
  accept: (token) => post("/api/invitations/accept", { token }),
};

export const webhooks = {
  all: () => all("/api/webhooks"),
  get: (id) => get(`/api/webhooks/${enc(id)}`),
  /** The answer carries the signing secret, shown this once. */
  create: (body) => post("/api/webhooks", body),
  /** `{rotate_secret: true}` answers with the new secret, shown this once. */
  update: (id, body) => patch(`/api/webhooks/${enc(id)}`, body),
  remove: (id) => del(`/api/webhooks/${enc(id)}`),
  /** Sends a `webhook.test` event now; answers with its delivery. */
  test: (id) => post(`/api/webhooks/${enc(id)}/test`),
  deliveries: (id, query) => get(`/api/webhooks/${enc(id)}/deliveries`, query),
  retry: (id, deliveryId) => post(`/api/webhooks/${enc(id)}/deliveries/${enc(deliveryId)}/retry`),
};

/** Who changed the schema, members, invitations and tokens: a newest-first page. */
export const audit = {
  /** `query`: actor, kind, action, since, until, limit, cursor (unset ones left out). */
  page: (query) => get("/api/audit", query),
};

/** Ready-made schemas (crm, ecommerce): `{items: [{name, label, description, object_count}]}`. */
export const templates = {
  list: () => get("/api/templates"),
  /** Adds the template's objects; a 409 lists each clashing name. */
  apply: (name, withSamples) => post(`/api/templates/${enc(name)}/apply`, { with_sample_records: withSamples }),
};

/** CSV/XLSX imports run as jobs: start one (202 `{id}`), then read its progress and errors. */
export const imports = {
  start(object, file, options) {
    const form = new FormData();
    form.append("file", file, file.name);
    form.append("options", JSON.stringify(options));
    return post(`/api/objects/${enc(object)}/import`, form);
  },
  get: (id) => get(`/api/imports/${enc(id)}`),
};

/** Every record the grid's `params` (filters, order, q, view) match, as a CSV/JSONL/XLSX file. */
export const exports = {
  file: (object, format, params) => download(`/api/objects/${enc(object)}/export`, withPairs(params, { format })),
};

export const realtime = {
  /** The realtime socket's address: Supabase Realtime's, JSON objects (Phoenix vsn 1.0.0). */
  socketUrl(token) {
    const u = new URL("/realtime/v1/websocket", location.origin);
    u.protocol = u.protocol === "https:" ? "wss:" : "ws:";
    u.search = new URLSearchParams({ apikey: token, vsn: "1.0.0" }).toString();
    return u.href;
  },
};
