// Members of the workspace and their roles: invite by e-mail (a join link to hand over),
// see and revoke pending invitations, change a role, remove.

import * as api from "../api.js";
import { canAdmin, state } from "../state.js";
import {
  busy, clear, clearFormErrors, confirmDialog, field, fmtDateTime, formSummary, h, pageHeader, select,
  showFormErrors, toast, toastError, refocus,
} from "../ui.js";
import { copyBox } from "../widgets/secret.js";

const ROLES = [
  ["viewer", "Viewer — reads records and schema"],
  ["editor", "Editor — also writes records"],
  ["admin", "Admin — also changes schema, members and tokens"],
  ["owner", "Owner — everything"],
];
const ROLE_NAMES = { viewer: "Viewer", editor: "Editor", admin: "Admin", owner: "Owner" };

/** `fresh`: the invitation just made, whose join link is shown this once. */
export async function render(view, _route, fresh = null) {
  const ws = state.me.workspace_id;
  const admin = canAdmin();
  const [page, invited] = await Promise.all([api.members.list(ws), admin ? api.invitations.pending(ws) : []]);
  const members = Array.isArray(page) ? page : page.items || [];
  const owner = state.me.role === "owner";
  const reload = (made = null) => render(view, null, made).then(() => refocus(view, made ? [".join-link .copy"] : []));
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
          await api.members.update(ws, m.user_id, { role: sel.value });
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
        onclick: () => remove(ws, m, me, reload) }, me ? "Leave" : "Remove") : null));
  });

  clear(view,
    pageHeader("Members"),
    h("p.lead", "Viewers read; editors also write records; admins also change the schema, members and tokens; owners can do everything."),
    h("div.table-wrap", h("table.table",
      h("caption.visually-hidden", "Members"),
      h("thead", h("tr", ["Name", "E-mail", "Role"].map((c) => h("th", { scope: "col" }, c)), h("th", { scope: "col" }, h("span.visually-hidden", "Actions")))),
      h("tbody", rows))),
    admin ? invitationsTable(ws, invited, reload) : null,
    admin ? inviteCard(ws, roleChoices, reload, fresh) : null);
}

function invitationsTable(ws, invited, reload) {
  const heading = h("h2", { id: "pending-h" }, "Pending invitations");
  if (!invited.length) return h("section.card", { "aria-labelledby": "pending-h" }, heading, h("p.muted", "No invitations are waiting."));
  return h("section.card", { "aria-labelledby": "pending-h" }, heading,
    h("div.table-wrap", h("table.table",
      h("caption.visually-hidden", "Pending invitations"),
      h("thead", h("tr", ["E-mail", "Role", "Expires"].map((c) => h("th", { scope: "col" }, c)), h("th", { scope: "col" }, h("span.visually-hidden", "Actions")))),
      h("tbody", invited.map((i) => h("tr",
        h("th", { scope: "row" }, i.email), h("td", ROLE_NAMES[i.role] || i.role), h("td", fmtDateTime(i.expires_at)),
        h("td.row-actions", h("button.small.danger-text", { type: "button", "aria-label": `Revoke the invitation of ${i.email}`,
          onclick: () => revoke(ws, i, reload) }, "Revoke"))))))));
}

async function revoke(ws, invitation, reload) {
  const ok = await confirmDialog(`Revoke the invitation of ${invitation.email}?`,
    "Its join link stops working at once. You can invite the same e-mail again later.",
    { confirmLabel: "Revoke invitation", danger: true });
  if (!ok) return;
  try {
    await api.invitations.revoke(ws, invitation.id);
    toast(`Invitation of ${invitation.email} revoked`);
    await reload();
  } catch (err) {
    toastError(err);
  }
}

async function remove(ws, m, me, reload) {
  const who = m.full_name || m.email;
  const ok = await confirmDialog(me ? "Leave this workspace?" : `Remove ${who}?`,
    me ? "You lose access to this workspace at once." : `${who} loses access to this workspace at once.`,
    { confirmLabel: me ? "Leave" : "Remove member", danger: true });
  if (!ok) return;
  try {
    await api.members.remove(ws, m.user_id);
    toast(`${who} removed`);
    await reload();
  } catch (err) {
    toastError(err);
  }
}

function inviteCard(ws, roleChoices, reload, fresh) {
  const email = h("input", { type: "email", name: "email", autocomplete: "off", required: true });
  const role = select(roleChoices, "editor", { name: "role" });
  const submit = h("button.primary", { type: "submit" }, "Invite");
  const form = h("form.stack", { novalidate: true }, formSummary(),
    h("div.grid-2", field("E-mail", email, { errorFor: "email", required: true }), field("Role", role, { errorFor: "role" })),
    h("p.hint", "You get a join link to send to this person (the server e-mails it too when it can send mail). It works once, for 7 days, and only for this e-mail."),
    h("div.actions.left", submit));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    clearFormErrors(form);
    busy(submit, async () => {
      const made = await api.members.invite(ws, { email: email.value.trim(), role: role.value });
      toast(`${made.invitation.email} invited as ${ROLE_NAMES[made.invitation.role]}`);
      await reload(made.invitation);
    }).catch((err) => showFormErrors(form, err, (f) => ({ email: "E-mail", role: "Role" }[f] || f)));
  });
  return h("section.card", { "aria-labelledby": "invite-h" }, h("h2", { id: "invite-h" }, "Invite a member"),
    fresh ? joinLink(fresh) : null, form);
}

/** The join link of the invitation just made: shown once, to copy and hand over. */
function joinLink(invitation) {
  const link = `${location.origin}${location.pathname}#/join?token=${encodeURIComponent(invitation.token)}`;
  const { input, row, note } = copyBox(link, { label: `Join link for ${invitation.email}`, what: "link",
    copyLabel: "Copy link", id: "join-link" });
  return h("div.stack.join-link",
    h("div.alert.warn", { role: "alert" }, h("p", h("strong", `Send this link to ${invitation.email}. `),
      `It is shown only now; it lets them join as ${ROLE_NAMES[invitation.role]} until ${fmtDateTime(invitation.expires_at)}.`)),
    h("label", { for: input.id }, "Join link"),
    row, note);
}
