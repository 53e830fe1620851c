// Relationships between objects (1:1, 1:N, N:N): the list, and delete; create and rename open
// the relationship dialog.

import * as api from "../api.js";
import { canAdmin, invalidate, objects } from "../state.js";
import { clear, confirmDialog, emptyState, h, pageHeader, refocus, toast, toastError } from "../ui.js";
import { relationshipDialog } from "../widgets/relationship_dialog.js";

const ON_DELETE = { unlink: "Unlink", cascade: "Cascade", restrict: "Restrict" };

export async function render(view) {
  const [rels, objs] = await Promise.all([api.relationships.all(), objects()]);
  const byId = new Map(objs.map((o) => [o.id, o]));
  const admin = canAdmin();
  const reload = () => render(view).then(() => refocus(view));
  const create = () => (admin && objs.length
    ? h("button.primary", { type: "button", onclick: () => relationshipDialog({}).then((r) => r && reload()) }, "New relationship") : null);
  const name = (id) => byId.get(id)?.label ?? id;
  clear(view,
    pageHeader("Relationships", create()),
    h("p.lead", "A relationship links records of two objects: a Company and its Contacts, Deals and their Products."),
    rels.length ? h("div.table-wrap", h("table.table",
      h("caption.visually-hidden", "Relationships"),
      h("thead", h("tr", ["Relationship", "From", "Kind", "To", "On delete"].map((c) => h("th", { scope: "col" }, c)),
        h("th", { scope: "col" }, h("span.visually-hidden", "Actions")))),
      h("tbody", rels.map((r) => h("tr",
        h("th", { scope: "row" }, h("code", r.name),
          h("div.sub", `On a ${name(r.from_object_id)}: “${r.to_label}” · on a ${name(r.to_object_id)}: “${r.from_label}”`)),
        h("td", name(r.from_object_id)), h("td", h("span.type", r.type)), h("td", name(r.to_object_id)),
        h("td", ON_DELETE[r.on_delete] || r.on_delete),
        h("td.row-actions", admin ? [
          h("button.small", { type: "button", "aria-label": `Edit ${r.name}`, onclick: () => relationshipDialog({ existing: r }).then((x) => x && reload()) }, "Edit"),
          h("button.small.danger-text", { type: "button", "aria-label": `Delete ${r.name}`, onclick: () => remove(r, reload) }, "Delete"),
        ] : null))))))
      : emptyState(objs.length > 1 ? "No relationships yet." : "Create at least two objects, then relate them here.", create()));
}

async function remove(r, reload) {
  const ok = await confirmDialog(`Delete ${r.name}?`, "All links made through this relationship are removed. Records stay.",
    { confirmLabel: "Delete relationship", danger: true });
  if (!ok) return;
  try {
    await api.relationships.remove(r.id);
    invalidate();
    toast(`${r.name} deleted`);
    await reload();
  } catch (err) {
    toastError(err);
  }
}
