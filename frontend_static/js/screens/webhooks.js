// Webhooks: the list (name, URL, events, objects, active or deactivated and why), and what an
// admin does to one: create (the secret shown once), edit, activate/deactivate, send a test,
// rotate the secret, delete. Each webhook's delivery log is its own screen (screens/webhook.js).

import * as api from "../api.js";
import { canAdmin } from "../state.js";
import {
  clear, confirmDialog, dataTable, emptyState, fmtDateTime, h, pageHeader, toast, toastError, refocus,
} from "../ui.js";
import { showSecret, webhookDialog } from "../widgets/webhook_dialog.js";

/** "Active", or "Deactivated" with the reason the server gave (e.g. failing for 3 days). */
export function stateOf(hook) {
  if (hook.active) {
    return hook.failing_since
      ? h("span.status.warn", `Active, failing since ${fmtDateTime(hook.failing_since)}`)
      : h("span.status.on", "Active");
  }
  return h("span.status.off", "Deactivated", hook.disabled_reason ? `: ${hook.disabled_reason}` : "");
}

/** What a delivery's outcome says in words, for a toast after a test or a retry. */
export function outcome(delivery) {
  if (delivery.status === "succeeded") return `delivered (${delivery.last_status_code})`;
  const why = delivery.last_status_code ? `HTTP ${delivery.last_status_code}` : delivery.last_error || "no answer";
  return delivery.status === "pending" ? `not delivered yet (${why}); it will be retried` : `failed (${why})`;
}

/** The actions every screen of a webhook offers, as buttons; `reload` after each, except after
 * a delete when `deleted` says where to go instead. */
export function actions(hook, reload, { deleted = null } = {}) {
  const act = (label, work, extra = {}) => h("button.small", { type: "button", "aria-label": `${label} ${hook.name}`, ...extra,
    onclick: () => work().then((gone) => (gone ? deleted?.() : reload())).catch(toastError) }, label);
  return [
    act("Edit", async () => { await webhookDialog(hook); }),
    act(hook.active ? "Deactivate" : "Activate", async () => {
      await api.webhooks.update(hook.id, { active: !hook.active });
      toast(`${hook.name} ${hook.active ? "deactivated" : "activated"}`);
    }),
    act("Send test", async () => {
      const sent = await api.webhooks.test(hook.id);
      toast(`Test event ${outcome(sent)}`, { kind: sent.status === "succeeded" ? "ok" : "error" });
    }),
    act("Rotate secret", async () => {
      const ok = await confirmDialog(`Rotate the secret of ${hook.name}?`,
        "Deliveries are signed with a new secret from now on; update your receiver with it.", { confirmLabel: "Rotate secret" });
      if (ok) await showSecret(await api.webhooks.update(hook.id, { rotate_secret: true }));
    }),
    act("Delete", async () => {
      const ok = await confirmDialog(`Delete ${hook.name}?`, "No more events are sent to it, and its delivery log is deleted.",
        { confirmLabel: "Delete webhook", danger: true });
      if (!ok) return;
      await api.webhooks.remove(hook.id);
      toast(`${hook.name} deleted`);
      return Boolean(deleted);
    }, { class: "danger-text" }),
  ];
}

export async function render(view) {
  if (!canAdmin()) {
    clear(view, pageHeader("Webhooks"), h("div.alert", h("p", "Only workspace owners and admins manage webhooks.")));
    return;
  }
  const hooks = await api.webhooks.all();
  const reload = () => render(view).then(() => refocus(view));
  const create = () => h("button.primary", { type: "button", onclick: () => webhookDialog().then((made) => made && reload()) }, "New webhook");
  clear(view,
    pageHeader("Webhooks", create()),
    h("p.lead", "Webhooks POST each record change to another system, signed per Standard Webhooks, retried until it is accepted."),
    hooks.length ? dataTable("Webhooks", ["Name", "URL", "Events", "Objects", "State"],
      hooks.map((w) => h("tr", { dataset: { webhook: w.id } },
        h("th", { scope: "row" }, h("a", { href: `#/webhooks/${w.id}` }, w.name)),
        h("td", h("code", w.url)),
        h("td", h("span.pills", w.events.map((e) => h("span.pill.scope", e)))),
        h("td", w.objects.length ? w.objects.join(", ") : h("span.muted", "All"), w.filter ? h("div", h("code", w.filter)) : null),
        h("td", stateOf(w)),
        h("td.row-actions", actions(w, reload)))), { actions: true })
      : emptyState("No webhooks yet.", create()));
}
