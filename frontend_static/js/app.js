// Boot: find out who is signed in, draw the sidebar, and render the screen the hash names.

import * as api from "./api.js";
import { current, go, match, route } from "./router.js";
import { invalidate, state, objects, onInvalidate, objectTitle } from "./state.js";
import { themePicker } from "./theme.js";
import { clear, errorBox, h, toastError } from "./ui.js";
import { objectBadge } from "./widgets/object_look.js";
import * as login from "./screens/login.js";
import * as objectsScreen from "./screens/objects.js";
import * as builder from "./screens/builder.js";
import * as library from "./screens/library.js";
import * as relationships from "./screens/relationships.js";
import * as records from "./screens/records.js";
import * as importScreen from "./screens/import.js";
import * as trash from "./screens/trash.js";
import * as record from "./screens/record.js";
import * as tokens from "./screens/tokens.js";
import * as members from "./screens/members.js";
import * as join from "./screens/join.js";
import * as audit from "./screens/audit.js";
import * as webhooks from "./screens/webhooks.js";
import * as webhook from "./screens/webhook.js";

const PUBLIC = new Set(["/login", "/signup", "/join"]);

route("/login", login.renderLogin);
route("/signup", login.renderSignup);
route("/objects", objectsScreen.render);
route("/objects/:name", records.render);
route("/objects/:name/build", builder.render);
route("/objects/:name/trash", trash.render);
route("/trash", trash.renderAll);
route("/objects/:name/import", importScreen.render);
route("/objects/:name/new", record.renderNew);
route("/records/:id", record.render);
route("/fields", library.render);
route("/relationships", relationships.render);
route("/tokens", tokens.render);
route("/members", members.render);
route("/join", join.render);
route("/audit", audit.render);
route("/webhooks", webhooks.render);
route("/webhooks/:id", webhook.render);

let cleanup = null;
let ready = false;

async function whoAmI() {
  try {
    state.me = await api.auth.me();
  } catch (err) {
    state.me = null;
    if (err.status !== 401) throw err;
  }
  ready = true;
  invalidate(); // another person may have signed in: forget the last one's metadata
}

function signOutLocally() {
  const { path, query } = current();
  state.me = null;
  ready = true;
  clear(document.getElementById("toasts")); // the last person's news is not the next one's
  drawChrome();
  if (!PUBLIC.has(path)) {
    const next = "#" + path + ([...query].length ? "?" + query : "");
    go("/login", new URLSearchParams({ next }));
  }
}

async function signOut() {
  try {
    await api.auth.logout();
  } catch {
    // Signing out locally is what matters; the server forgets the token when it expires.
  }
  api.setSession(null);
  signOutLocally();
}

function navLink(href, label, extra = {}) {
  const active = ("#" + current().path) === href
    || (extra.prefix && ("#" + current().path).startsWith(extra.prefix));
  return h("li", h(extra.badge ? "a.obj-link" : "a", { href, "aria-current": active ? "page" : undefined },
    extra.badge, label));
}

async function drawSidebar() {
  const nav = document.getElementById("sidebar");
  if (!state.me) {
    clear(nav);
    return;
  }
  let list = [];
  try {
    list = await objects();
  } catch (err) {
    toastError(err);
  }
  clear(nav,
    h("h2.nav-title", "Data"),
    h("ul.nav-list", navLink("#/objects", "All objects"),
      list.map((o) => navLink(`#/objects/${o.name}`, objectTitle(o),
        { prefix: `#/objects/${o.name}/`, badge: objectBadge(o) })),
      navLink("#/trash", "Deleted records")),
    h("h2.nav-title", "Settings"),
    h("ul.nav-list",
      navLink("#/fields", "Field library"),
      navLink("#/relationships", "Relationships"),
      navLink("#/tokens", "API tokens"),
      navLink("#/members", "Members"),
      navLink("#/webhooks", "Webhooks", { prefix: "#/webhooks/" }),
      navLink("#/audit", "Audit log")));
}

const theme = themePicker();

function drawUser() {
  const area = document.getElementById("user-area");
  if (state.me) {
    clear(area, theme,
      h("span.user-name", state.me.full_name || state.me.email),
      h("span.badge", { title: "Your role in this workspace" }, state.me.role),
      h("button.ghost", { type: "button", onclick: signOut }, "Sign out"));
  } else {
    clear(area, theme);
  }
}

function drawChrome() {
  drawUser();
  drawSidebar();
}

async function render() {
  const { path, query } = current();
  if (path === "/" || path === "") return go("/objects");
  if (!ready || (!state.me && api.getSession())) await whoAmI().catch((err) => { ready = true; showError(err); });
  if (!PUBLIC.has(path) && !state.me) {
    return go("/login", new URLSearchParams({ next: location.hash }));
  }
  if (cleanup) cleanup();
  cleanup = null;
  drawChrome();
  const main = document.getElementById("main");
  const view = h("div.view", h("p.muted", "Loading…"));
  clear(main, view);
  const found = match(path);
  if (!found) {
    clear(view, h("h1", { tabindex: "-1" }, "Page not found"),
      h("p", "There is no screen at this address. ", h("a", { href: "#/objects" }, "Go to objects")));
    return;
  }
  try {
    cleanup = (await found.screen(view, { params: found.params, query })) || null;
  } catch (err) {
    if (err.status === 401) return;
    const title = err.status === 404 ? "Not found" : err.status === 403 ? "Not allowed" : "Something went wrong";
    clear(view, h("h1", { tabindex: "-1" }, title), errorBox(err),
      h("p", h("a", { href: "#/objects" }, "Go to objects")));
  }
  const title = view.querySelector("h1");
  document.title = title ? `${title.textContent} · Objectry` : "Objectry";
  if (!view.contains(document.activeElement)) title?.focus({ preventScroll: true });
}

function showError(err) {
  clear(document.getElementById("main"), errorBox(err));
}

api.onUnauthenticated(signOutLocally);
onInvalidate(drawSidebar);
window.addEventListener("hashchange", render);
render();
