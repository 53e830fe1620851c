// Around the records grid: the row-height toggle (remembered per view in this browser) and the
// empty states that say what to do next.

import { clear, emptyState, h } from "../ui.js";

const TALL_KEY = "objectry.grid.tall."; // + the view's id or the object's name: "1" for tall rows

/** "Tall rows": a toggle button that wraps the grid's values over several lines. */
export function rowHeightToggle(gridEl, key) {
  const stored = TALL_KEY + key;
  const button = h("button", { type: "button", "aria-pressed": String(localStorage.getItem(stored) === "1"),
    title: "Show long values on several lines" }, "Tall rows");
  const show = () => gridEl.classList.toggle("tall", button.getAttribute("aria-pressed") === "true");
  button.addEventListener("click", () => {
    const on = button.getAttribute("aria-pressed") !== "true";
    button.setAttribute("aria-pressed", String(on));
    if (on) localStorage.setItem(stored, "1");
    else localStorage.removeItem(stored);
    show();
  });
  show();
  return button;
}

/**
 * Fill `box` with the empty state: with filters, a way to clear them; without, a way to add the
 * first record or import some (for writers).
 */
export function showEmptyState(box, { schema, filtered, writer, onNew, onClearFilters }) {
  const plural = (schema.object.plural_label || schema.object.label).toLowerCase();
  if (filtered) {
    clear(box, emptyState(`No ${plural} match these filters.`,
      h("button", { type: "button", onclick: onClearFilters }, "Clear filters")));
    return;
  }
  clear(box, emptyState(`No ${plural} yet.`,
    writer ? h("button.primary", { type: "button", onclick: onNew }, `Add the first ${schema.object.label.toLowerCase()}`) : null,
    writer ? h("a.button", { href: `#/objects/${schema.object.name}/import` }, "Import CSV") : null));
}
