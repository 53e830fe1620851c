// The one door to the server: fetch with the signed-in user's token, JSON in and out, every
// failure turned into an ApiError whose message a person can read. A 401 refreshes once.

const STORE_KEY = "objectry.session";

export class ApiError extends Error {
  constructor(status, code, message, details = []) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = Array.isArray(details) ? details : [];
  }
}

let onSignedOut = () => {};
let refreshing = null;

function readSession() {
  try {
    return JSON.parse(localStorage.getItem(STORE_KEY)) || null;
  } catch {
    return null;
  }
}

/** The stored tokens, read afresh each time so that every tab sees a sign-in or sign-out. */
export function getSession() {
  return readSession();
}

export function setSession(tokens) {
  if (tokens) {
    localStorage.setItem(STORE_KEY, JSON.stringify({ access_token: tokens.access_token, refresh_token: tokens.refresh_token }));
  } else {
    localStorage.removeItem(STORE_KEY);
  }
}

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
  if (body !== undefined) h["Content-Type"] = "application/json";
  const session = readSession();
  if (auth && session?.access_token) h.Authorization = `Bearer ${session.access_token}`;
  const pairs = query instanceof URLSearchParams ? [...query] : Object.entries(query || {});
  try {
    return await fetch(url(path, pairs), {
      method, headers: h, body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, "network", "The server could not be reached. Check your connection and try again.");
  }
}

async function parse(response) {
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
  throw new ApiError(response.status, "http_" + response.status,
    `The server answered ${response.status} ${response.statusText || ""}`.trim() + ".");
}

/**
 * Trade the refresh token for a new pair. The server treats two refreshes with one token as
 * theft (it revokes the sign-in), so refreshes are serialised: one at a time in this tab, and
 * across tabs with a Web Lock; whoever waited finds the new pair already stored and reuses it.
 */
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

/**
 * request("GET", "/api/objects", {query, body, headers}) → parsed JSON (null for 204).
 * A 401 refreshes the session once and retries; if still refused the session is dropped and,
 * unless `quiet`, the app is told (it shows the sign-in screen).
 */
export async function request(method, path, options = {}) {
  const used = readSession()?.access_token;
  let response = await send(method, path, options);
  if (response.status === 401 && options.auth !== false) {
    if (used && await refresh(used)) response = await send(method, path, options);
    if (response.status === 401) {
      setSession(null);
      if (!options.quiet) onSignedOut();
    }
  }
  return parse(response);
}

export const get = (path, query, options = {}) => request("GET", path, { ...options, query });
export const post = (path, body, options = {}) => request("POST", path, { ...options, body });
export const patch = (path, body, options = {}) => request("PATCH", path, { ...options, body });
export const del = (path, options = {}) => request("DELETE", path, options);

/** Every item of a paged list (`{items, next_cursor}`), following cursors. */
export async function all(path, query = {}) {
  const items = [];
  let cursor = null;
  do {
    const page = await get(path, { ...query, limit: 1000, cursor });
    items.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor);
  return items;
}

export const enc = encodeURIComponent;
