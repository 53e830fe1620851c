// "Link a Company": a combobox that searches another object's records by primary value
// (GET /api/records?object=…&q=…) and hands the chosen one to onPick.

import * as api from "../api.js";
import { clear, h, nextId } from "../ui.js";

export function linkPicker({ object, label, exclude = new Set(), onPick }) {
  const id = nextId("pick");
  const listId = `${id}-list`;
  const input = h("input", { id, type: "text", role: "combobox", autocomplete: "off", "aria-autocomplete": "list",
    "aria-expanded": "false", "aria-controls": listId, placeholder: `Search ${(object.plural_label || object.label).toLowerCase()}…` });
  const list = h("ul.listbox", { id: listId, role: "listbox", "aria-label": `${object.plural_label || object.label} found` });
  list.hidden = true;
  const note = h("p.hint", { "aria-live": "polite" });
  let items = [];
  let active = -1;
  let timer = null;
  let seq = 0;

  const close = () => {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  };
  const highlight = (i) => {
    active = i;
    [...list.children].forEach((li, j) => li.setAttribute("aria-selected", String(i === j)));
    const li = list.children[i];
    if (li) {
      input.setAttribute("aria-activedescendant", li.id);
      li.scrollIntoView({ block: "nearest" });
    }
  };
  const pick = async (record) => {
    close();
    input.value = "";
    clear(note);
    await onPick(record);
  };
  async function search() {
    const mine = ++seq;
    const q = input.value.trim();
    let page;
    try {
      page = await api.records.list(object.name, { q, limit: 10, order: "primary_value.asc" });
    } catch (err) {
      note.textContent = `Search failed: ${err.message}`;
      return;
    }
    if (mine !== seq) return;
    items = page.items.filter((r) => !exclude.has(r.id));
    clear(list, items.map((r, i) => {
      const li = h("li", { id: `${id}-opt-${i}`, role: "option", "aria-selected": "false" }, r.primary_value || "(no name)");
      li.addEventListener("mousedown", (e) => e.preventDefault());
      li.addEventListener("click", () => pick(r));
      return li;
    }));
    list.hidden = !items.length;
    input.setAttribute("aria-expanded", String(!!items.length));
    note.textContent = items.length ? `${items.length} found: use the arrow keys and Enter to choose.`
      : `No ${(object.plural_label || object.label).toLowerCase()} match “${q}”.`;
    active = -1;
  }
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(search, 200);
  });
  input.addEventListener("focus", () => { if (!input.value) search(); });
  input.addEventListener("blur", () => setTimeout(close, 150));
  input.addEventListener("keydown", (e) => {
    if (e.key === "ArrowDown") {
      e.preventDefault();
      if (list.hidden) search();
      else highlight(Math.min(active + 1, items.length - 1));
    } else if (e.key === "ArrowUp") {
      e.preventDefault();
      highlight(Math.max(active - 1, 0));
    } else if (e.key === "Enter") {
      e.preventDefault();
      if (active >= 0 && items[active]) pick(items[active]);
      else if (items.length === 1) pick(items[0]);
    } else if (e.key === "Escape" && !list.hidden) {
      e.preventDefault();
      e.stopPropagation();
      close();
    }
  });
  return h("div.picker", h("label", { for: id }, label), h("div.combo", input, list), note);
}
