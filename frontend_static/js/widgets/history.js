// A record's history: who changed what and when, newest first, a page at a time. Fields by their
// labels (a field no longer on the object is "(removed field)"), long values cut with "Show
// more", links and unlinks with the other record's name, the actor and how long ago.

import * as api from "../api.js";
import { displayText } from "../fields/types.js";
import { actorName, people } from "../state.js";
import { clear, fmtDateTime, h, nextId } from "../ui.js";

const OPS = { create: "Created", update: "Changed", delete: "Moved to the trash", restore: "Restored",
  link: "Linked", unlink: "Unlinked" };
const LONG = 120; // characters of a value shown before "Show more"

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });
const STEPS = [["year", 31536000], ["month", 2592000], ["week", 604800], ["day", 86400], ["hour", 3600], ["minute", 60]];

/** "just now", "3 minutes ago", "yesterday"… */
export function fmtAgo(iso, now = Date.now()) {
  const seconds = (new Date(iso).getTime() - now) / 1000;
  if (Number.isNaN(seconds)) return "";
  for (const [unit, size] of STEPS) {
    if (Math.abs(seconds) >= size) return relative.format(Math.round(seconds / size), unit);
  }
  return "just now";
}

function long(text) {
  if (text.length <= LONG) return text;
  const id = nextId("more");
  const full = h("span", { id }, text);
  const cut = h("span", `${text.slice(0, LONG).trimEnd()}…`);
  full.hidden = true;
  const toggle = h("button.link.small", { type: "button", "aria-expanded": "false", "aria-controls": id });
  const show = (open) => {
    full.hidden = !open;
    cut.hidden = open;
    toggle.setAttribute("aria-expanded", String(open));
    toggle.textContent = open ? "Show less" : "Show more";
  };
  toggle.addEventListener("click", () => show(full.hidden));
  show(false);
  return h("span.long-value", cut, full, " ", toggle);
}

function value(field, v) {
  if (v === null || v === undefined || v === "") return h("span.muted", "empty");
  const text = field ? displayText(field, v) || String(v) : typeof v === "string" ? v : JSON.stringify(v);
  return long(String(text));
}

function linkLine(e) {
  const rec = e.record || {};
  const name = rec.object === null ? "(removed record)" : rec.primary_value || "(no name)";
  const other = rec.object ? h("a", { href: `#/records/${rec.id}` }, name) : h("span.muted", name);
  const label = e.relationship?.label || "(removed relationship)";
  return h("p.event-link", e.op === "link" ? "Linked to " : "Unlinked from ", other, h("span.muted", ` (${label})`));
}

function event(e, fieldsByName, names) {
  const changes = Object.entries(e.changes || {});
  const linking = e.op === "link" || e.op === "unlink";
  return h("li.event", { dataset: { op: e.op } },
    h("div.event-head", h("strong", OPS[e.op] || e.op), " ",
      h("time", { dateTime: e.at, title: fmtDateTime(e.at) }, fmtAgo(e.at)),
      e.actor ? h("span.muted", ` by ${actorName(e.actor, names)}`) : null),
    linking ? linkLine(e) : null,
    changes.length ? h("table.changes",
      h("caption.visually-hidden", "Changed values"),
      h("thead", h("tr", h("th", { scope: "col" }, "Field"), h("th", { scope: "col" }, "Before"), h("th", { scope: "col" }, "After"))),
      h("tbody", changes.map(([name, [before, after]]) => {
        const f = fieldsByName.get(name);
        return h("tr", h("th", { scope: "row" }, f ? f.label : h("span.muted", "(removed field)")),
          h("td", value(f, before)), h("td", value(f, after)));
      }))) : null);
}

export function historyCard(record, schema) {
  const fieldsByName = new Map(schema.fields.map((f) => [f.name, f]));
  const list = h("ol.history");
  const more = h("button.small", { type: "button" }, "Older changes");
  more.hidden = true;
  const status = h("p.muted", "Loading…");
  const headingId = nextId("history-h");
  let cursor = null;
  const load = async () => {
    try {
      const [page, names] = await Promise.all([
        api.records.history(record.id, { limit: 20, cursor }), people()]);
      list.append(...page.items.map((e) => event(e, fieldsByName, names)));
      cursor = page.next_cursor;
      more.hidden = !cursor;
      clear(status);
      if (!list.children.length) status.textContent = "No history yet.";
    } catch (err) {
      status.textContent = `The history could not be loaded: ${err.message}`;
    }
  };
  more.addEventListener("click", load);
  load();
  return h("section.card.history-card", { "aria-labelledby": headingId },
    h("h2", { id: headingId }, "History"), status, list, more);
}
