// API tokens for apps: create with scopes and expiry (the secret is shown once), list with last
// use, revoke.

import * as api from "../api.js";
import { canAdmin, objects } from "../state.js";
import {
  busy, checkbox, clear, clearFormErrors, confirmDialog, emptyState, field, fmtDateTime, formSummary, h,
  modal, pageHeader, select, showFormErrors, toast, toastError, refocus,
} from "../ui.js";
import { copyBox } from "../widgets/secret.js";

const SCOPES = [
  ["records:read", "Read records"],
  ["records:write", "Create, change and delete records"],
  ["schema:read", "Read objects, fields and relationships"],
  ["schema:write", "Change objects, fields and relationships"],
  ["admin", "Everything, including members and tokens"],
];
const EXPIRY = [["", "Never"], ["7", "In 7 days"], ["30", "In 30 days"], ["90", "In 90 days"], ["365", "In a year"], ["date", "On a date…"]];

const items = (page) => (Array.isArray(page) ? page : page?.items || []);

function status(t) {
  if (t.revoked_at) return h("span.status.off", `Revoked ${fmtDateTime(t.revoked_at)}`);
  if (t.expires_at && new Date(t.expires_at) < new Date()) return h("span.status.off", "Expired");
  return h("span.status.on", "Active");
}

export async function render(view) {
  if (!canAdmin()) {
    clear(view, pageHeader("API tokens"), h("div.alert", h("p", "Only workspace owners and admins manage API tokens.")));
    return;
  }
  const tokens = items(await api.tokens.list());
  const reload = () => render(view).then(() => refocus(view));
  const create = () => h("button.primary", { type: "button", onclick: () => createToken().then((t) => t && reload()) }, "New token");
  clear(view,
    pageHeader("API tokens", create()),
    h("p.lead", "Tokens let apps use the API on behalf of this workspace. Send one as ",
      h("code", "Authorization: Bearer <token>"), " (or an ", h("code", "apikey"), " header). Give each app its own token with only the scopes it needs."),
    tokens.length ? h("div.table-wrap", h("table.table",
      h("caption.visually-hidden", "API tokens"),
      h("thead", h("tr", ["Name", "Token", "Scopes", "Created", "Expires", "Last used", "Status"].map((c) => h("th", { scope: "col" }, c)),
        h("th", { scope: "col" }, h("span.visually-hidden", "Actions")))),
      h("tbody", tokens.map((t) => h("tr", { dataset: { token: t.id } },
        h("th", { scope: "row" }, t.name),
        h("td", h("code", `${t.prefix || ""}…`)),
        h("td", h("span.pills", (t.scopes || []).map((sc) => h("span.pill.scope", sc)))),
        h("td", fmtDateTime(t.created_at)),
        h("td", t.expires_at ? fmtDateTime(t.expires_at) : h("span.muted", "Never")),
        h("td", t.last_used_at ? fmtDateTime(t.last_used_at) : h("span.muted", "Never used")),
        h("td", status(t)),
        h("td.row-actions", t.revoked_at ? null : h("button.small.danger-text", { type: "button", "aria-label": `Revoke ${t.name}`,
          onclick: () => revoke(t, reload) }, "Revoke")))))))
      : emptyState("No API tokens yet.", create()));
}

async function revoke(t, reload) {
  const ok = await confirmDialog(`Revoke ${t.name}?`, "Apps using this token are refused from their next request on. This cannot be undone.",
    { confirmLabel: "Revoke token", danger: true });
  if (!ok) return;
  try {
    await api.tokens.revoke(t.id);
    toast(`${t.name} revoked`);
    await reload();
  } catch (err) {
    toastError(err);
  }
}

function expiresAt(choice, date) {
  if (!choice) return null;
  if (choice === "date") return date ? new Date(`${date}T23:59:59`).toISOString() : undefined;
  return new Date(Date.now() + Number(choice) * 86400000).toISOString();
}

function createToken() {
  return modal("New API token", (close) => {
    const name = h("input", { name: "name", required: true, placeholder: "e.g. Website sign-up form" });
    const boxes = SCOPES.map(([scope, words]) => {
      const box = checkbox(h("span", h("code", scope), " — ", words), scope === "records:read", { value: scope });
      return box;
    });
    const scopeSet = h("fieldset.scopes", h("legend", "Scopes"), boxes,
      h("p.field-error", { dataset: { errorFor: "scopes" }, hidden: true }));
    const expiry = select(EXPIRY, "90", { name: "expiry" });
    const date = h("input", { type: "date", name: "expires_on", min: new Date().toISOString().slice(0, 10) });
    const dateWrap = field("Expiry date", date, { errorFor: "expires_at" });
    dateWrap.hidden = true;
    expiry.addEventListener("change", () => { dateWrap.hidden = expiry.value !== "date"; });
    const submit = h("button.primary", { type: "submit" }, "Create token");
    const form = h("form.modal-body.stack", { novalidate: true }, formSummary(),
      field("Name", name, { errorFor: "name", required: true, hint: "Which app uses it; shown in the list" }),
      scopeSet, field("Expires", expiry, { errorFor: "expires_at" }), dateWrap,
      h("div.actions", h("button", { type: "button", onclick: () => close() }, "Cancel"), submit));
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      clearFormErrors(form);
      const body = { name: name.value.trim(), scopes: boxes.filter((b) => b.box.checked).map((b) => b.box.value) };
      const when = expiresAt(expiry.value, date.value);
      if (when === undefined) return showFormErrors(form, { message: "Choose the expiry date", details: [{ field: "expires_at", message: "pick a date" }] });
      if (when) body.expires_at = when;
      busy(submit, async () => {
        const created = await api.tokens.create(body);
        clear(form, secretPanel(created, () => close(created)));
        form.querySelector(".copy")?.focus();
      }).catch((err) => showFormErrors(form, err, (f) => ({ name: "Name", scopes: "Scopes", expires_at: "Expires" }[f] || f)));
    });
    return form;
  });
}

function secretPanel(created, done) {
  const { input, row, note } = copyBox(created.token, { label: "Your new token", id: "new-token" });
  return h("div.stack",
    h("div.alert.warn", { role: "alert" }, h("p", h("strong", "Copy this token now. "), "It is shown only once; if you lose it, revoke it and make a new one.")),
    h("label", { for: input.id }, `Token “${created.name}”`),
    row, note,
    tryIt(created),
    h("div.actions", h("button.primary", { type: "button", onclick: done }, "Done, I have copied it")));
}

/** A first request the new token's scopes allow: a record of the first object with records:read,
 * the objects with schema:read; filled in once the objects are known. */
function tryIt(created) {
  const line = h("p.hint.try-it");
  const scopes = created.scopes || [];
  const curl = (href) => h("code", `curl -H "Authorization: Bearer ${created.prefix || ""}…" "${href}"`);
  const fill = async () => {
    const [first] = scopes.includes("records:read") ? await objects() : [];
    if (first) {
      return clear(line, "Try it (one ", first.label.toLowerCase(), "): ",
        curl(api.objects.restHref(first.plural_name || first.name)));
    }
    if (scopes.includes("schema:read")) return clear(line, "Try it: ", curl(api.objects.href()));
    return clear(line, "This token cannot read; use it for the writes its scopes allow.");
  };
  fill().catch(() => clear(line));
  return line;
}
