// The records screen's saved views: a switcher (choosing one shows the records through it),
// "Save view" (the grid's current filters, sort and columns as a new view), and editing or
// deleting the view shown. A view's filter and order are applied by the server (`?view=`);
// filters and a sort set on top of it are sent with it (ANDed; a sort replaces the view's).

import * as api from "../api.js";
import { canAdmin, state } from "../state.js";
import { confirmDialog, h, select, toast, toastError } from "../ui.js";
import { viewDialog } from "./view_dialog.js";

/** The grid's filters as a view's filter string, ANDed with the view it started from. */
function filterText(current, filterPairs) {
  const own = new URLSearchParams(filterPairs).toString();
  return [current?.filter, own].filter(Boolean).join("&");
}

/** May this person change this view? Their own personal views; shared ones if admin. */
export const mayChange = (view) => (view.shared ? canAdmin() : view.created_by === state.me?.id);

/**
 * viewsBar({schema, views, current, grid: () => {filterPairs, order, columns: [{name, width}]}, open(id)})
 * → the toolbar element; open(id | null) shows the records through that view (or none).
 */
export function viewsBar({ schema, views, current, grid, open }) {
  const choices = [["", "All records"], ...views.map((v) => [v.id, v.shared ? v.name : `${v.name} (only me)`])];
  const picker = select(choices, current?.id || "", { "aria-label": "View", class: "view-picker" });
  picker.addEventListener("change", () => open(picker.value || null));

  async function saveNew() {
    const now = grid();
    const saved = await viewDialog("Save view", schema, { type: "grid", shared: false }, now.columns, (body) => api.views.create({
      ...body, object: schema.object.name, filter: filterText(current, now.filterPairs),
      order: now.order || current?.order || "",
    }));
    if (saved) {
      toast(`View “${saved.name}” saved`);
      open(saved.id);
    }
  }

  async function edit() {
    const now = grid();
    const saved = await viewDialog(`Edit view ${current.name}`, schema, current, now.columns, (body) => api.views.update(current.id, {
      ...body, filter: filterText(current, now.filterPairs), order: now.order || current.order,
    }));
    if (saved) {
      toast(`View “${saved.name}” saved`);
      open(saved.id);
    }
  }

  async function remove() {
    if (!await confirmDialog("Delete view", `Delete the view “${current.name}”? The records stay.`,
      { confirmLabel: "Delete view", danger: true })) return;
    try {
      await api.views.remove(current.id);
      toast(`View “${current.name}” deleted`);
      open(null);
    } catch (err) {
      toastError(err);
    }
  }

  const problems = current?.problems?.length
    ? h("p.alert.warn", { role: "status" }, `This view no longer fits the fields: ${current.problems.map((p) => p.message).join("; ")}`)
    : null;
  return h("div.views-bar",
    picker,
    h("button", { type: "button", onclick: saveNew }, "Save view"),
    current && mayChange(current) ? h("button", { type: "button", onclick: edit }, "Edit view") : null,
    current && mayChange(current) ? h("button.danger-text", { type: "button", onclick: remove }, "Delete view") : null,
    current?.filter ? h("span.muted", { title: "The view's filter (filters set below are added to it)" }, `Filter: ${current.filter}`) : null,
    problems);
}
