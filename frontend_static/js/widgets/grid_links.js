// The grid's link columns: one per relationship of the object, each way it takes part in it,
// showing the linked records' primary values as chips. A page's links are read in one request
// (/rest/v1 with an embed per column and `id=in.(…)`); editing a cell opens a dialog that lists
// the links (unlink) and the link picker (link).

import * as api from "../api.js";
import { clear, h, modal, toast, toastError } from "../ui.js";
import { linkPicker } from "./linkpicker.js";

const CHIPS = 10; // chips read per cell: a cell shows one line; the dialog lists every link
const MAX_EMBEDS = 20; // the data API's bound on embeds in one query

const slug = (label) => String(label).toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^_+|_+$/g, "");

/** The link columns of an object: [{key, rel, forward, label, other, many}]. */
export function linkColumns(schema, objs) {
  const byId = new Map(objs.map((o) => [o.id, o]));
  const cols = [];
  for (const rel of schema.relationships || []) {
    for (const forward of [true, false]) {
      if ((forward ? rel.from_object_id : rel.to_object_id) !== schema.object.id) continue;
      const other = byId.get(forward ? rel.to_object_id : rel.from_object_id);
      if (!other) continue;
      const self = rel.from_object_id === rel.to_object_id;
      const label = forward ? rel.to_label : rel.from_label;
      cols.push({
        key: `l${cols.length}`, rel, forward, label, other,
        many: forward ? rel.type !== "1:1" : rel.type === "N:N",
        // The relationship's name means its forward way; the way back of a self-relationship
        // is named by its label (see records/query/relations.py).
        embed: self && !forward ? slug(label) : rel.name,
      });
    }
  }
  return cols.slice(0, MAX_EMBEDS);
}

/** The linked records of each record of `ids`: Map id → {key: [{id, primary_value}]}. */
export async function readLinks(object, cols, ids) {
  const found = new Map();
  if (!cols.length || !ids.length) return found;
  const select = ["id", ...cols.map((c) => `${c.key}:${c.embed}(id,primary_value)`)].join(",");
  const params = new URLSearchParams({ select, id: `in.(${ids.join(",")})`, limit: String(ids.length) });
  for (const c of cols) params.set(`${c.key}.limit`, String(CHIPS + 1));
  const rows = await api.records.rows(object, params);
  for (const row of rows || []) {
    const links = {};
    for (const c of cols) {
      const v = row[c.key];
      links[c.key] = Array.isArray(v) ? v : v ? [v] : [];
    }
    found.set(row.id, links);
  }
  return found;
}

/** The chips of one link cell; a chip opens its record. */
export function linkChips(linked) {
  const shown = (linked || []).slice(0, CHIPS);
  return h("span.chips", shown.map((r) => h("a.chip.link-chip", { href: `#/records/${r.id}`, tabindex: "-1",
    title: `Open ${r.primary_value || "(no name)"}` }, r.primary_value || "(no name)")),
  linked?.length > CHIPS ? h("span.chip.more-chip", { title: "More: open the cell to see every link" }, "…") : null);
}

/**
 * The dialog that links and unlinks the records of one link cell; resolves once closed (after
 * at least one change: true).
 */
export function editLinks({ col, record }) {
  const side = col.forward ? "from_record_id" : "to_record_id";
  const otherSide = col.forward ? "to_record_id" : "from_record_id";
  let changed = false;
  const name = record.primary_value || "(no name)";
  return modal(`${col.label} of ${name}`, (close) => {
    const body = h("div.modal-body.stack", h("p.muted", "Loading…"));
    const draw = async (focus) => {
      let links;
      let linked;
      try {
        links = await api.links.all({ relationship_id: col.rel.id, [side]: record.id });
        const ids = links.map((l) => l[otherSide]);
        linked = ids.length ? (await api.records.rows(col.other.name,
          { select: "id,primary_value", id: `in.(${ids.join(",")})`, limit: String(ids.length) })) : [];
      } catch (err) {
        clear(body, h("p.field-error", `Could not load the links: ${err.message}`));
        return;
      }
      const names = new Map(linked.map((r) => [r.id, r.primary_value || "(no name)"]));
      const shown = links.filter((l) => names.has(l[otherSide]));
      const list = shown.length ? h("ul.related-list", shown.map((l) => {
        const other = names.get(l[otherSide]);
        return h("li", h("a", { href: `#/records/${l[otherSide]}`, onclick: () => close(changed) }, other),
          h("button.small.ghost", { type: "button", "aria-label": `Unlink ${other}`, onclick: async () => {
            try {
              await api.links.remove(l.id);
              changed = true;
              toast(`${other} unlinked`);
              await draw("[role=combobox]");
            } catch (err) {
              toastError(err);
            }
          } }, "Unlink"));
      })) : h("p.muted", `No ${col.label.toLowerCase()} yet.`);
      const full = !col.many && shown.length >= 1;
      const picker = full ? h("p.hint", `${name} has one ${col.label.toLowerCase()} here; unlink it to choose another.`)
        : linkPicker({
          object: col.other, label: `Link ${col.many ? "a" : "the"} ${col.other.label.toLowerCase()}`,
          exclude: new Set([...names.keys(), record.id]),
          onPick: async (chosen) => {
            try {
              await api.links.create({ relationship_id: col.rel.id,
                from_record_id: col.forward ? record.id : chosen.id, to_record_id: col.forward ? chosen.id : record.id });
              changed = true;
              toast(`${chosen.primary_value || chosen.id} linked`);
              await draw("[role=combobox]");
            } catch (err) {
              toastError(err);
            }
          },
        });
      clear(body, list, picker, h("div.actions", h("button", { type: "button", onclick: () => close(changed) }, "Done")));
      (focus && body.querySelector(focus) || body.querySelector("[role=combobox], button"))?.focus();
    };
    draw();
    return body;
  });
}
