// The audit log: who changed the schema, members, invitations and tokens, newest first, with
// filters (who, what kind, a date range) kept in the address and "Load more" for older entries.

import * as api from "../api.js";
import { go } from "../router.js";
import { canAdmin, state } from "../state.js";
import { busy, clear, dataTable, emptyState, field, fmtDateTime, h, pageHeader, select, toastError } from "../ui.js";

const KINDS = [
  ["object", "Objects"], ["field", "Fields"], ["object_field", "Fields on objects"],
  ["relationship", "Relationships"], ["link", "Record links"], ["application", "Applications"],
  ["member", "Members"], ["invitation", "Invitations"], ["token", "API tokens"],
  ["view", "Views"], ["webhook", "Webhooks"],
];
const NOUN = {
  object: "object", field: "field", object_field: "field on object", relationship: "relationship",
  link: "link of", application: "application", member: "member", invitation: "invitation of",
  token: "API token", view: "view", webhook: "webhook",
};
const VERB = {
  created: "Created", updated: "Changed", deleted: "Deleted", attached: "Attached", detached: "Detached",
  published: "Published", revoked: "Revoked", accepted: "Accepted", removed: "Removed", left: "Left as",
  activated: "Activated", deactivated: "Deactivated", rotated: "Rotated the secret of",
};
const FILTERS = ["actor", "kind", "since", "until"];

/** "Created object deal", from an entry's kind, action and target. */
export function sentence(entry) {
  const verb = VERB[entry.action] || entry.action;
  return `${verb} ${NOUN[entry.kind] || entry.kind} ${entry.target.name || entry.target.id}`;
}

function who(entry) {
  const { actor, credential } = entry;
  const person = actor.email || actor.user_id;
  if (credential.type === "token") {
    return h("span", "API token ", h("strong", `“${credential.name || credential.id}”`),
      h("span.muted.mono", ` ${credential.id}`));
  }
  return h("span", person || h("span.muted", "someone"), h("span.muted", " (signed in)"));
}

const shown = (value) => (value === null || value === undefined ? "—"
  : typeof value === "object" ? JSON.stringify(value) : String(value));

function changes(entry) {
  const pairs = Object.entries(entry.changes || {});
  if (!pairs.length) return h("span.muted", "—");
  return h("ul.audit-changes", pairs.map(([key, [before, after]]) => h("li",
    h("code", key), ": ", h("span.old", shown(before)), " → ", h("span.new", shown(after)))));
}

const row = (entry) => h("tr", { dataset: { entry: entry.id, kind: entry.kind, action: entry.action } },
  h("td", h("time", { dateTime: entry.at }, fmtDateTime(entry.at))),
  h("td", who(entry)),
  h("th", { scope: "row" }, sentence(entry)),
  h("td", changes(entry)));

/** A date input's day as the ISO time of its local midnight (`until`: of the next day). */
function dayStart(day, next = false) {
  if (!day) return "";
  const d = new Date(`${day}T00:00:00`);
  if (next) d.setDate(d.getDate() + 1);
  return d.toISOString();
}

function filterForm(query) {
  const people = h("datalist", { id: "audit-people" });
  api.members.list(state.me.workspace_id).then((page) => clear(people,
    (page.items || []).map((m) => h("option", { value: m.email })))).catch(() => {});
  const actor = h("input", { name: "actor", value: query.get("actor") || "", list: "audit-people",
    placeholder: "e-mail, usr_… or tok_…" });
  const kind = select([["", "All kinds"], ...KINDS], query.get("kind") || "", { name: "kind" });
  const since = h("input", { type: "date", name: "since", value: query.get("since") || "" });
  const until = h("input", { type: "date", name: "until", value: query.get("until") || "" });
  const form = h("form.audit-filters", { role: "search", "aria-label": "Filter the audit log" },
    people, field("Who", actor), field("Kind", kind), field("From", since), field("To", until),
    h("div.actions", h("button.primary", { type: "submit" }, "Apply"),
      h("button", { type: "button", onclick: () => go("/audit") }, "Clear")));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const q = new URLSearchParams();
    for (const [key, input] of [["actor", actor], ["kind", kind], ["since", since], ["until", until]]) {
      if (input.value.trim()) q.set(key, input.value.trim());
    }
    go("/audit", q);
  });
  return form;
}

export async function render(view, { query }) {
  if (!canAdmin()) {
    clear(view, pageHeader("Audit log"), h("div.alert", h("p", "Only workspace owners and admins see the audit log.")));
    return;
  }
  const asked = Object.fromEntries(FILTERS.map((k) => [k, query.get(k) || ""]));
  asked.since = dayStart(asked.since);
  asked.until = dayStart(asked.until, true);
  const first = await api.audit.page({ ...asked, limit: 50 });
  const body = h("tbody", first.items.map(row));
  const more = h("button", { type: "button", hidden: !first.next_cursor }, "Load more");
  let cursor = first.next_cursor;
  more.addEventListener("click", () => busy(more, async () => {
    const next = await api.audit.page({ ...asked, limit: 50, cursor });
    body.append(...next.items.map(row));
    cursor = next.next_cursor;
    more.hidden = !cursor;
  }).catch(toastError));
  clear(view,
    pageHeader("Audit log"),
    h("p.lead", "Who changed objects, fields, relationships, applications, members, invitations and API tokens, and when. Newest first."),
    filterForm(query),
    first.items.length ? dataTable("Audit log", ["When", "Who", "What", "Changes"], body, { className: "audit" })
      : emptyState("Nothing matches these filters."),
    h("div.actions", more));
}
