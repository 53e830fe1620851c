// Join a workspace with an invitation's link (#/join?token=…): a new person creates an account
// with it; someone signed in accepts it, then signs in again to work in that workspace.

import * as api from "../api.js";
import { state } from "../state.js";
import { busy, clear, clearFormErrors, errorBox, field, formSummary, h, showFormErrors } from "../ui.js";

const LABELS = { email: "E-mail", password: "Password", full_name: "Full name", token: "Invitation", invitation_token: "Invitation" };
const labelOf = (f) => LABELS[f] || f;
const ROLE_NAMES = { viewer: "a viewer", editor: "an editor", admin: "an admin", owner: "an owner" };

function card(...children) {
  return h("div.auth-page", h("section.auth-card", { "aria-labelledby": "auth-title" },
    h("h1", { id: "auth-title", tabindex: "-1" }, "Join a workspace"), ...children));
}

export function render(view, { query }) {
  const token = query.get("token");
  if (!token) {
    clear(view, card(h("p", "This link has no invitation in it. Ask whoever invited you for the whole link.")));
    return;
  }
  if (state.me) return renderAccept(view, token);
  return renderSignup(view, token);
}

function input(name, type, autocomplete) {
  return h("input", { name, type, autocomplete, required: true });
}

function renderSignup(view, token) {
  const name = field("Full name", input("full_name", "text", "name"), { errorFor: "full_name" });
  const email = field("E-mail", input("email", "email", "username"),
    { errorFor: "email", hint: "The address the invitation was sent to." });
  const password = field("Password", input("password", "password", "new-password"),
    { errorFor: "password", hint: "At least 10 characters; a long phrase you use nowhere else is best." });
  const submit = h("button.primary.wide", { type: "submit" }, "Create account and join");
  const form = h("form.stack", { novalidate: true }, formSummary(), name, email, password, submit);
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    clearFormErrors(form);
    const body = { full_name: name.control.value.trim(), email: email.control.value.trim(),
      password: password.control.value, invitation_token: token };
    busy(submit, async () => {
      await api.auth.register(body);
      // The new account belongs to the inviting workspace only: signing in lands there.
      api.setSession(await api.auth.login(body.email, body.password));
      location.hash = "#/objects";
    }).catch((err) => showFormErrors(form, err, labelOf));
  });
  const next = new URLSearchParams({ next: `#/join?token=${token}` });
  clear(view, card(h("p.muted", "You have been invited to a workspace on Objectry. Create your account with the e-mail address the invitation was for."),
    form, h("p.auth-switch", "Already have an account? ", h("a", { href: `#/login?${next}` }, "Sign in to accept"))));
  name.control.focus();
}

function renderAccept(view, token) {
  const outcome = h("div", { "aria-live": "polite" });
  const accept = h("button.primary.wide", { type: "button" }, "Accept invitation");
  accept.addEventListener("click", () => {
    busy(accept, async () => {
      const joined = await api.invitations.accept(token);
      accept.hidden = true;
      clear(outcome, h("div.alert", h("p", `You joined the workspace as ${ROLE_NAMES[joined.role] || joined.role}. Sign in again to work in it.`)),
        h("button.primary.wide", { type: "button", onclick: switchWorkspace }, "Sign in to the new workspace"));
      outcome.querySelector("button").focus();
    }).catch((err) => clear(outcome, errorBox(err, labelOf)));
  });
  clear(view, card(h("p", `You are signed in as ${state.me.email}. Accept the invitation to join its workspace with this account.`),
    accept, outcome));
  accept.focus();
}

async function switchWorkspace() {
  try {
    await api.auth.logout();
  } catch {
    // Signing out locally is what matters.
  }
  api.setSession(null);
  state.me = null;
  // Without a workspace named, signing in picks the one joined last: this one.
  location.hash = "#/login?" + new URLSearchParams({ next: "#/objects" });
}
