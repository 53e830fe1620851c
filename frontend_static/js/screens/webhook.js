// One webhook and its delivery log, newest first: status, attempts, last response code, error,
// duration and time of each delivery, with "Retry" on one; "Load more" for older deliveries.

import * as api from "../api.js";
import { go } from "../router.js";
import { canAdmin } from "../state.js";
import { busy, clear, dataTable, emptyState, fmtDateTime, h, pageHeader, toast, toastError } from "../ui.js";
import { actions, outcome, stateOf } from "./webhooks.js";

const STATUS = { pending: "Pending", succeeded: "Succeeded", failed: "Failed" };
const TONE = { pending: "warn", succeeded: "on", failed: "off" };

function deliveryRow(hook, d, reload) {
  const retry = h("button.small", { type: "button", "aria-label": `Retry delivery ${d.id}` }, "Retry");
  retry.addEventListener("click", () => busy(retry, async () => {
    const again = await api.webhooks.retry(hook.id, d.id);
    toast(`Retry ${outcome(again)}`, { kind: again.status === "succeeded" ? "ok" : "error" });
    await reload();
  }).catch(toastError));
  return h("tr", { dataset: { delivery: d.id, status: d.status } },
    h("td", h("time", { dateTime: d.created_at }, fmtDateTime(d.created_at))),
    h("th", { scope: "row" }, h("code", d.type)),
    h("td", h(`span.status.${TONE[d.status] || "off"}`, STATUS[d.status] || d.status)),
    h("td.num", String(d.attempts)),
    h("td", d.last_status_code ? String(d.last_status_code) : h("span.muted", "—")),
    h("td", d.last_error || h("span.muted", "—")),
    h("td.num", d.duration_ms === null || d.duration_ms === undefined ? "—" : `${d.duration_ms} ms`),
    h("td", d.status === "pending" && d.next_attempt_at ? `next ${fmtDateTime(d.next_attempt_at)}` : ""),
    h("td.row-actions", retry));
}

export async function render(view, { params }) {
  if (!canAdmin()) {
    clear(view, pageHeader("Webhook"), h("div.alert", h("p", "Only workspace owners and admins manage webhooks.")));
    return;
  }
  const [hook, first] = await Promise.all([api.webhooks.get(params.id), api.webhooks.deliveries(params.id, { limit: 50 })]);
  const reload = () => render(view, { params });
  const rows = h("tbody", first.items.map((d) => deliveryRow(hook, d, reload)));
  let cursor = first.next_cursor;
  const more = h("button", { type: "button", hidden: !cursor }, "Load more");
  more.addEventListener("click", () => busy(more, async () => {
    const next = await api.webhooks.deliveries(hook.id, { limit: 50, cursor });
    rows.append(...next.items.map((d) => deliveryRow(hook, d, reload)));
    cursor = next.next_cursor;
    more.hidden = !cursor;
  }).catch(toastError));
  clear(view,
    pageHeader(hook.name, ...actions(hook, reload, { deleted: () => go("/webhooks") })),
    h("p", h("a", { href: "#/webhooks" }, "← All webhooks")),
    h("dl.facts",
      h("dt", "URL"), h("dd", h("code", hook.url)),
      h("dt", "Events"), h("dd", hook.events.join(", ")),
      h("dt", "Objects"), h("dd", hook.objects.length ? hook.objects.join(", ") : "All"),
      h("dt", "Filter"), h("dd", hook.filter ? h("code", hook.filter) : "None"),
      h("dt", "State"), h("dd", stateOf(hook))),
    h("h2", "Deliveries"),
    first.items.length ? dataTable("Deliveries", ["Time", "Event", "Status", "Attempts", "Response", "Error", "Duration", "Next"],
      rows, { actions: true, className: "deliveries" }) : emptyState("No deliveries yet. Send a test to see one."),
    h("div.actions", more));
}
