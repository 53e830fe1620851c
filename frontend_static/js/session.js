// The signed-in person's tokens, kept in localStorage so every tab shares one sign-in; api.js
// sends them and refreshes them, this only stores and reads them.

const STORE_KEY = "objectry.session";

export function readSession() {
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

/** Seconds until a JWT expires (Infinity when it cannot be read: the server judges it). */
export function secondsLeft(jwt) {
  try {
    const claims = JSON.parse(atob(jwt.split(".")[1].replace(/-/g, "+").replace(/_/g, "/")));
    return claims.exp - Date.now() / 1000;
  } catch {
    return Infinity; // not a JWT we can read: let the server judge it
  }
}
