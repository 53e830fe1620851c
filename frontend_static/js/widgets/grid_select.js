// The grid's row selection: a checkbox per row, shift-click selects the range from the last row
// clicked, the header's checkbox every row loaded; ids stay selected while their rows are shown.

import { h } from "../ui.js";

/** rowSelection(tbody, onSelect(count)) → {all (the header's checkbox), has, ids, mark, changed, clear}. */
export function rowSelection(tbody, onSelect) {
  const selected = new Set();
  let anchor = null; // the row a shift-click selects from
  const rows = () => [...tbody.querySelectorAll(":scope > tr[data-id]")];
  const all = h("input", { type: "checkbox", "aria-label": "Select all rows shown", title: "Select all rows shown" });

  function mark(tr, on) {
    const id = tr.dataset.id;
    if (on) selected.add(id);
    else selected.delete(id);
    tr.classList.toggle("selected", on);
    tr.setAttribute("aria-selected", String(on));
    const box = tr.querySelector("input.row-select");
    if (box) box.checked = on;
  }
  function changed() {
    const shown = rows();
    const ids = new Set(shown.map((tr) => tr.dataset.id));
    for (const id of [...selected]) if (!ids.has(id)) selected.delete(id);
    all.checked = shown.length > 0 && selected.size === shown.length;
    all.indeterminate = selected.size > 0 && selected.size < shown.length;
    onSelect?.(selected.size);
  }
  all.addEventListener("change", () => {
    for (const tr of rows()) mark(tr, all.checked);
    changed();
  });
  tbody.addEventListener("click", (e) => {
    const box = e.target.closest("input.row-select");
    if (!box) return;
    const tr = box.closest("tr");
    const list = rows();
    if (e.shiftKey && anchor && anchor.isConnected) {
      const [a, b] = [list.indexOf(anchor), list.indexOf(tr)].sort((x, y) => x - y);
      for (const other of list.slice(a, b + 1)) mark(other, box.checked);
    } else {
      mark(tr, box.checked);
    }
    anchor = tr;
    changed();
  });
  return {
    all, mark, changed,
    has: (id) => selected.has(String(id)),
    ids: () => [...selected],
    clear() {
      for (const tr of rows()) mark(tr, false);
      changed();
    },
  };
}
