// Members of the workspace and their roles: invite or add by e-mail, change a role, remove.

import * as api from "../api.js";
import { canAdmin, state } from "../state.js";
import {
  busy, clear, clearFormErrors, confirmDialog, field, formSummary, h, pageHeader, select, showFormErrors,
  toast, toastError, refocus,
} from "../ui.js";

const ROLES = [
  ["viewer", "Viewer — reads records and schema"],
  ["editor", "Editor — also writes records"],
  ["admin", "Admin — also changes schema, members and tokens"],
  ["owner", "Owner — everything"],
];
const ROLE_NAMES = { viewer: "Viewer", editor: "Editor", admin: "Admin", owner: "Owner" };

export async function render(view) {
  if (!state.accounts || !state.me) {
    clear(view, pageHeader("Members"),
      h("div.alert", h("p", "This server has no accounts yet: everyone who reaches it acts as the owner. Members appear here once accounts are enabled.")));
    return;
  }
  const base = `/api/workspaces/${api.enc(state.me.workspace_id)}/members`;
  const page = await api.get(base, { limit: 1000 });
  const members = Array.isArray(page) ? page : page.items || [];
  const admin = canAdmin();
  const owner = state.me.role === "owner";
  const reload = () => render(view).then(() => refocus(view));
  const roleChoices = ROLES.filter(([r]) => owner || r !== "owner");

  const rows = members.map((m) => {
    const me = m.user_id === state.me.id;
    const canEdit = admin && (owner || m.role !== "owner");
    let roleCell = ROLE_NAMES[m.role] || m.role;
    if (canEdit) {
      const sel = select(roleChoices.map(([r]) => [r, ROLE_NAMES[r]]), m.role, { "aria-label": `Role of ${m.full_name || m.email}` });
      sel.addEventListener("change", async () => {
        sel.disabled = true;
        try {
          await api.patch(`${base}/${m.user_id}`, { role: sel.value });
          toast(`${m.full_name || m.email} is now ${ROLE_NAMES[sel.value]}`);
          if (me) state.me.role = sel.value;
          await reload();
        } catch (err) {
          sel.value = m.role;
          sel.disabled = false;
          toastError(err);
        }
      });
      roleCell = sel;
    }
    return h("tr",
      h("th", { scope: "row" }, m.full_name || h("span.muted", "—"), me ? h("span.badge", "you") : null),
      h("td", m.email), h("td", roleCell),
      h("td.row-actions", canEdit ? h("button.small.danger-text", { type: "button", "aria-label": `Remove ${m.full_name || m.email}`,
        onclick: () => remove(base, m, me, reload) }, me ? "Leave" : "Remove") : null));
  });

  clear(view,
    pageHeader("Members"),
    h("p.lead", "Viewers read; editors also write records; admins also change the schema, members and tokens; owners can do everything."),
    h("div.table-wrap", h("table.table",
      h("caption.visually-hidden", "Members"),
      h("thead", h("tr", ["Name", "E-mail", "Role"].map((c) => h("th", { scope: "col" }, c)), h("th", { scope: "col" }, h("span.visually-hidden", "Actions")))),
      h("tbody", rows))),
    admin ? inviteCard(base, roleChoices, reload) : null);
}

async function remove(base, m, me, reload) {
  const who = m.full_name || m.email;
  const ok = await confirmDialog(me ? "Leave this workspace?" : `Remove ${who}?`,
    me ? "You lose access to this workspace at once." : `${who} loses access to this workspace at once.`,
    { confirmLabel: me ? "Leave" : "Remove member", danger: true });
  if (!ok) return;
  try {
    await api.del(`${base}/${m.user_id}`);
    toast(`${who} removed`);
    await reload();
  } catch (err) {
    toastError(err);
  }
}

function inviteCard(base, roleChoices, reload) {
  const email = h("input", { type: "email", name: "email", autocomplete: "off", required: true });
  const role = select(roleChoices, "editor", { name: "role" });
  const submit = h("button.primary", { type: "submit" }, "Add member");
  const form = h("form.stack", { novalidate: true }, formSummary(),
    h("div.grid-2", field("E-mail", email, { errorFor: "email", required: true }), field("Role", role, { errorFor: "role" })),
    h("p.hint", "Someone who already has an account is added at once; anyone else joins with this role when they sign up with this e-mail."),
    h("div.actions.left", submit));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    clearFormErrors(form);
    busy(submit, async () => {
      const added = await api.post(base, { email: email.value.trim(), role: role.value });
      const who = added?.email || email.value.trim();
      toast(added?.status === "invited"
        ? `Invitation recorded: ${who} joins as ${ROLE_NAMES[role.value]} on signing up with this e-mail`
        : `${who} added as ${ROLE_NAMES[role.value]}`, { timeout: 9000 });
      await reload();
    }).catch((err) => showFormErrors(form, err, (f) => ({ email: "E-mail", role: "Role" }[f] || f)));
  });
  return h("section.card", { "aria-labelledby": "invite-h" }, h("h2", { id: "invite-h" }, "Add a member"), form);
}
