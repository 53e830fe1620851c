// A record's history: who changed what and when, newest first, a page at a time.

import * as api from "../api.js";
import { displayText } from "../fields/types.js";
import { actorName, people } from "../state.js";
import { clear, fmtDateTime, h } from "../ui.js";

const OPS = { create: "Created", update: "Changed", delete: "Moved to the trash", restore: "Restored" };

function value(field, v) {
  if (v === null || v === undefined || v === "") return h("span.muted", "empty");
  return field ? displayText(field, v) || String(v) : typeof v === "string" ? v : JSON.stringify(v);
}

function event(e, fieldsByName, names) {
  const changes = Object.entries(e.changes || {});
  return h("li.event",
    h("div.event-head", h("strong", OPS[e.op] || e.op), " ", h("time", { dateTime: e.at }, fmtDateTime(e.at)),
      e.actor ? h("span.muted", ` by ${actorName(e.actor, names)}`) : null),
    changes.length ? h("table.changes",
      h("caption.visually-hidden", "Changed values"),
      h("thead", h("tr", h("th", { scope: "col" }, "Field"), h("th", { scope: "col" }, "Before"), h("th", { scope: "col" }, "After"))),
      h("tbody", changes.map(([name, [before, after]]) => {
        const f = fieldsByName.get(name);
        return h("tr", h("th", { scope: "row" }, f?.label || name), h("td", value(f, before)), h("td", value(f, after)));
      }))) : null);
}

export function historyCard(record, schema) {
  const fieldsByName = new Map(schema.fields.map((f) => [f.name, f]));
  const list = h("ol.history");
  const more = h("button.small", { type: "button" }, "Older changes");
  more.hidden = true;
  const status = h("p.muted", "Loading…");
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
  return h("section.card", { "aria-labelledby": "history-h" }, h("h2", { id: "history-h" }, "History"), status, list, more);
}
