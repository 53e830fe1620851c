// A month calendar: the records of a view on the day of its date field, weeks from Monday,
// with previous/next month. Days are calendar days as stored (a datetime by its UTC date).
// Other people's changes (`el.follow`, from realtime.js) read the month again, once per burst.

import { clear, h, toastError } from "../ui.js";

const DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const title = new Intl.DateTimeFormat(undefined, { month: "long", year: "numeric", timeZone: "UTC" });

/** "2026-12" → a UTC Date of its first day (this month when the text is not a month). */
export function monthStart(text) {
  const m = /^(\d{4})-(\d{2})$/.exec(text || "");
  const now = new Date();
  return m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, 1)) : new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
}

const iso = (d) => d.toISOString().slice(0, 10);
export const monthKey = (d) => iso(d).slice(0, 7);
export const shift = (d, months) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, 1));

/**
 * calendar({field, month, load, onMonth}) → the element; load(from, to) resolves to the records
 * whose field is in [from, to) (ISO dates); onMonth(key) is told when the month changes.
 */
export function calendar({ field, month, load, onMonth }) {
  let start = monthStart(month);
  const heading = h("h2.calendar-title", { "aria-live": "polite" });
  const body = h("tbody");
  const prev = h("button", { type: "button", onclick: () => show(shift(start, -1)).catch(toastError) }, "‹ Previous month");
  const next = h("button", { type: "button", onclick: () => show(shift(start, 1)).catch(toastError) }, "Next month ›");
  const table = h("table.calendar", h("thead", h("tr", DAYS.map((d) => h("th", { scope: "col" }, d)))), body);

  async function show(first) {
    start = first;
    onMonth?.(monthKey(first));
    heading.textContent = title.format(first);
    const end = shift(first, 1);
    const records = await load(iso(first), iso(end));
    const byDay = new Map();
    for (const r of records) {
      const day = String(r.data[field.name] ?? "").slice(0, 10);
      byDay.set(day, [...(byDay.get(day) || []), r]);
    }
    const cursor = new Date(first);
    cursor.setUTCDate(1 - ((first.getUTCDay() + 6) % 7)); // back to Monday
    const weeks = [];
    while (cursor < end) {
      const week = h("tr");
      for (let i = 0; i < 7; i++, cursor.setUTCDate(cursor.getUTCDate() + 1)) {
        const day = iso(cursor);
        const inMonth = cursor.getUTCMonth() === first.getUTCMonth();
        const items = (byDay.get(day) || []).map((r) => h("li", h("a", { href: `#/records/${r.id}` }, r.primary_value || "(no name)")));
        week.append(h(`td${inMonth ? "" : ".outside"}`, { dataset: { day } },
          h("span.calendar-day", String(cursor.getUTCDate())), items.length ? h("ul.calendar-items", items) : null));
      }
      weeks.push(week);
    }
    clear(body, weeks);
  }

  const el = h("div.calendar-wrap", h("div.calendar-nav", prev, heading, next), table);
  let timer = null;
  el.follow = () => {
    clearTimeout(timer);
    timer = setTimeout(() => show(start).catch(() => {}), 300);
  };
  el.ready = show(start);
  return el;
}
