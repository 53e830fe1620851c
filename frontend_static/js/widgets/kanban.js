// A kanban board: one column per option of the view's select field (and one for records
// without a value), a card per record. Dragging a card to another column — or choosing the
// column in its "Move to" list, the keyboard's way — changes the record's value with If-Match
// on the version the card shows; when someone changed the record meanwhile (412) the card is
// read again and put where the record now is, and the person is told. Other people's changes
// (`board.follow`, from realtime.js) read the board again, once per burst.

import * as api from "../api.js";
import { clear, h, select, toast, toastError } from "../ui.js";

const NONE = ""; // the column of records without a value
const BURST_MS = 300;

/** kanban({schema, field, records, canWrite, reload}) → the board; reload() reads its records. */
export function kanban({ schema, field, records, canWrite, reload }) {
  const options = [...(field.config?.options || []).map((o) => [o.value, o.label]), [NONE, "No value"]];
  const lists = new Map();
  const board = h("div.kanban", { role: "list", "aria-label": `${schema.object.plural_label || schema.object.label} by ${field.label}` });

  for (const [value, label] of options) {
    const list = h("ul.kanban-cards", { "aria-label": label });
    const count = h("span.badge", "0");
    const column = h("section.kanban-column", { role: "listitem", dataset: { value } },
      h("h2.kanban-title", label, " ", count), list);
    column.count = count;
    column.addEventListener("dragover", (e) => { if (canWrite) e.preventDefault(); });
    column.addEventListener("drop", (e) => {
      e.preventDefault();
      const card = board.querySelector(`[data-id="${CSS.escape(e.dataTransfer.getData("text/plain"))}"]`);
      if (card) move(card, value);
    });
    lists.set(value, { list, column });
    board.append(column);
  }

  function columnOf(record) {
    const value = record.data[field.name];
    return lists.get(lists.has(value ?? NONE) ? value ?? NONE : NONE);
  }

  function recount() {
    for (const { list, column } of lists.values()) column.count.textContent = String(list.children.length);
  }

  function card(record) {
    const name = record.primary_value || "(no name)";
    const el = h("li.kanban-card", { draggable: canWrite ? "true" : undefined, dataset: { id: record.id } });
    el.record = record;
    el.addEventListener("dragstart", (e) => e.dataTransfer.setData("text/plain", record.id));
    const mover = canWrite ? select(options, record.data[field.name] ?? NONE, { "aria-label": `Move ${name} to` }) : null;
    mover?.addEventListener("change", () => move(el, mover.value));
    clear(el, h("a", { href: `#/records/${record.id}`, draggable: "false" }, name), mover);
    return el;
  }

  function place(record, old) {
    const el = card(record);
    if (old) old.remove();
    columnOf(record).list.append(el);
    recount();
    return el;
  }

  async function move(el, value) {
    const { record } = el;
    if ((record.data[field.name] ?? NONE) === value) return;
    try {
      const saved = await api.records.update(record.id, { [field.name]: value === NONE ? null : value }, record.version);
      place(saved, el).querySelector("a").focus();
    } catch (err) {
      if (err.status !== 412) {
        place(record, el);
        toastError(err);
        return;
      }
      const now = await api.records.get(record.id).catch((again) => (toastError(again), record));
      place(now, el);
      toast(`“${record.primary_value || record.id}” was changed by someone else meanwhile; `
        + "it now shows their change. Move it again if you still want to.", { kind: "error", timeout: 12000 });
    }
  }

  const cardOf = (id) => (id ? board.querySelector(`[data-id="${CSS.escape(id)}"]`) : null);

  async function refresh() {
    const fresh = await reload().catch(() => null);
    if (!fresh) return;
    const keep = new Set(fresh.map((r) => r.id));
    for (const el of board.querySelectorAll(".kanban-card")) if (!keep.has(el.dataset.id)) el.remove();
    for (const r of fresh) {
      const el = cardOf(r.id);
      if (!el || el.record.version !== r.version) place(r, el);
    }
    recount();
  }

  let timer = null;
  board.follow = (change) => {
    const shown = cardOf(change.record?.id)?.record;
    if (change.type === "UPDATE" && shown && change.record.version <= shown.version) return; // ours
    clearTimeout(timer);
    timer = setTimeout(refresh, BURST_MS);
  };
  for (const record of records) place(record);
  return board;
}
