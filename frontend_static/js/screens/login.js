// Sign in, and sign up (the first person on a fresh install becomes the workspace owner).

import * as api from "../api.js";
import { busy, clear, clearFormErrors, field, formSummary, h, showFormErrors } from "../ui.js";

const LABELS = { email: "E-mail", password: "Password", full_name: "Full name" };
const labelOf = (f) => LABELS[f] || f;

function input(name, type, autocomplete) {
  return h("input", { name, type, autocomplete, required: true });
}

function card(title, intro, form, footer) {
  return h("section.auth-card", { "aria-labelledby": "auth-title" },
    h("h1", { id: "auth-title", tabindex: "-1" }, title), intro ? h("p.muted", intro) : null, form, footer);
}

function nextHash(query) {
  const next = query.get("next");
  return next && next.startsWith("#/") && !next.startsWith("#/login") ? next : "#/objects";
}

const carry = (query) => (query.get("next") ? "?" + new URLSearchParams({ next: query.get("next") }) : "");

async function signIn(email, password, query) {
  api.setSession(await api.auth.login(email, password));
  location.hash = nextHash(query);
}

export function renderLogin(view, { query }) {
  const email = field("E-mail", input("email", "email", "username"), { errorFor: "email" });
  const password = field("Password", input("password", "password", "current-password"),
    { errorFor: "password" });
  const submit = h("button.primary.wide", { type: "submit" }, "Sign in");
  const form = h("form.stack", { novalidate: true }, formSummary(), email, password, submit);
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    clearFormErrors(form);
    busy(submit, () => signIn(email.control.value.trim(), password.control.value, query))
      .catch((err) => showFormErrors(form, err, labelOf));
  });
  clear(view, h("div.auth-page", card("Sign in to Objectry", null, form,
    h("p.auth-switch", "New here? ", h("a", { href: "#/signup" + carry(query) }, "Create an account")))));
  email.control.focus();
}

export function renderSignup(view, { query }) {
  const name = field("Full name", input("full_name", "text", "name"), { errorFor: "full_name" });
  const email = field("E-mail", input("email", "email", "username"), { errorFor: "email" });
  const password = field("Password", input("password", "password", "new-password"),
    { errorFor: "password", hint: "At least 10 characters; a long phrase you use nowhere else is best." });
  const submit = h("button.primary.wide", { type: "submit" }, "Create account");
  const form = h("form.stack", { novalidate: true }, formSummary(), name, email, password, submit);
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    clearFormErrors(form);
    const body = { full_name: name.control.value.trim(), email: email.control.value.trim(),
      password: password.control.value };
    busy(submit, async () => {
      await api.auth.register(body);
      await signIn(body.email, body.password, query);
    }).catch((err) => showFormErrors(form, err, labelOf));
  });
  clear(view, h("div.auth-page", card("Create your account",
    "The first account on a new server becomes the owner of its workspace. " +
    "Later accounts join through the invitation link an owner or admin sends them.", form,
    h("p.auth-switch", "Already have an account? ", h("a", { href: "#/login" + carry(query) }, "Sign in")))));
  name.control.focus();
}
