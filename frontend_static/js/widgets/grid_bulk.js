// What the grid does to its selected rows at once: move them to the trash, or set one field to
// one value on all of them. Each is one request to the data API (`id=in.(…)`), all or nothing;
// a refusal is shown in words in the dialog and changes nothing.

import * as api from "../api.js";
import { editor, isComputed } from "../fields/types.js";
import { busy, clear, confirmDialog, h, modal, select, toast } from "../ui.js";
import { messagesFor } from "./cells.js";

const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;
const idsFilter = (ids) => ({ id: `in.(${ids.join(",")})` });

/**
 * bulkBar({schema, selected: () => ids, onTrashed(ids), onUpdated(ids), clear()}) → {el, update(n)}:
 * the bar shown while rows are selected.
 */
export function bulkBar({ schema, selected, onTrashed, onUpdated, clearSelection }) {
  const things = (n) => plural(n, schema.object.label.toLowerCase(), (schema.object.plural_label || schema.object.label).toLowerCase());
  const count = h("span.bulk-count", { "aria-live": "polite" });
  const edit = h("button", { type: "button" }, "Edit field…");
  const trash = h("button.danger-text", { type: "button" }, "Move to trash");
  const none = h("button.ghost", { type: "button" }, "Clear selection");
  const el = h("div.bulk-bar", { role: "region", "aria-label": "Selected records" }, count, edit, trash, none);
  el.hidden = true;

  trash.addEventListener("click", async () => {
    const ids = selected();
    if (!ids.length || !await confirmDialog("Move to trash", `Move ${things(ids.length)} to the trash?`,
      { confirmLabel: `Move ${ids.length} to trash`, danger: true })) return;
    try {
      await api.records.trashWhere(schema.object.name, idsFilter(ids));
    } catch (err) {
      await modal("Nothing was moved to the trash", (close) => h("div.modal-body", problems(err, schema),
        h("div.actions", h("button.primary", { type: "button", onclick: () => close() }, "OK"))));
      return;
    }
    toast(`${things(ids.length)} moved to the trash`);
    onTrashed(ids);
  });

  edit.addEventListener("click", async () => {
    const ids = selected();
    if (!ids.length) return;
    if (await bulkEditDialog(schema, ids, things)) onUpdated(ids);
  });
  none.addEventListener("click", () => clearSelection());

  return {
    el,
    update(n) {
      el.hidden = n === 0;
      count.textContent = `${things(n)} selected`;
    },
  };
}

/** The server's refusal, one line per problem. */
function problems(err, schema) {
  const label = (name) => schema.fields.find((f) => f.name === String(name).split(".")[0])?.label || name;
  const details = (err.details || []).filter((d) => d && typeof d === "object");
  return h("div.alert.error", { role: "alert" }, h("p", err.message),
    details.length ? h("ul", details.map((d) => h("li", d.field ? `${label(d.field)}: ${d.message || d.code}` : d.message || d.code))) : null);
}

function bulkEditDialog(schema, ids, things) {
  const fields = schema.fields.filter((f) => !f.is_readonly && !isComputed(f) && f.type !== "autonumber");
  return modal(`Edit ${things(ids.length)}`, (close) => {
    const picker = select(fields.map((f) => [f.name, f.label]), fields[0]?.name || "", { id: "bulk-field" });
    const slot = h("div.bulk-value");
    const error = h("div");
    let ed = null;
    const show = () => {
      const f = fields.find((x) => x.name === picker.value);
      ed = f ? editor(f, null, { id: "bulk-value", "aria-label": `New ${f.label}` }) : null;
      clear(slot, h("label", { for: "bulk-value" }, "New value"), ed?.el);
      clear(error);
    };
    picker.addEventListener("change", show);
    show();
    const submit = h("button.primary", { type: "submit" }, `Set on ${ids.length}`);
    const form = h("form.modal-body.stack", { novalidate: true },
      h("p", `Sets one field to one value on the ${things(ids.length)} selected: all of them or, if one is refused, none.`),
      h("div.form-field", h("label", { for: "bulk-field" }, "Field"), picker), slot, error,
      h("div.actions", h("button", { type: "button", onclick: () => close(false) }, "Cancel"), submit));
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      const f = fields.find((x) => x.name === picker.value);
      if (!f || !ed) return;
      let value;
      try {
        value = ed.read();
      } catch (err) {
        clear(error, h("p.field-error", { role: "alert" }, messagesFor(err, f.name).join("; ")));
        return;
      }
      busy(submit, async () => {
        try {
          await api.records.updateWhere(schema.object.name, idsFilter(ids), { [f.name]: value });
        } catch (err) {
          clear(error, problems(err, schema));
          ed.control.focus();
          return;
        }
        toast(`${f.label} set on ${things(ids.length)}`);
        close(true);
      });
    });
    return form;
  });
}
