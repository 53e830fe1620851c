// The filter builder of the records grid: rows of "field · operator · value", all of which
// must hold (AND), written to the URL as `field=op.value` like the records API reads them.

import { filterableFields, OPS, operatorsFor } from "../fields/filters.js";
import { valueField } from "../fields/types.js";
import { clear, h, nextId, select } from "../ui.js";

/**
 * filterBar(fields, filters, onApply) → {toggle, panel}, or null when no field can be filtered;
 * filters are [{field, op, value}].
 */
export function filterBar(fields, initial, onApply) {
  const filterable = filterableFields(fields);
  if (!filterable.length) return null;
  const rows = h("ol.filter-rows", { "aria-label": "Filters" });
  const panelId = nextId("filters");

  function valueControl(shownDef, op, value) {
    if (OPS[op]?.noValue) return null;
    const fieldDef = valueField(shownDef); // a formula's value is its result type's
    const attrs = { class: "filter-value", "aria-label": "Value" };
    if (fieldDef.type === "select" || fieldDef.type === "multi_select") {
      const opts = (fieldDef.config?.options || []).map((o) => [o.value, o.label]);
      return select([["", "Choose…"], ...opts], value, attrs);
    }
    if (fieldDef.type === "date") return h("input", { ...attrs, type: "date", value });
    if (fieldDef.type === "datetime") return h("input", { ...attrs, placeholder: "2026-01-31T09:00:00Z", value });
    return h("input", { ...attrs, value, inputmode: ["number", "currency", "percent", "rating"].includes(fieldDef.type) ? "decimal" : undefined });
  }

  function addRow(f = {}, focus = false) {
    const fieldDef = filterable.find((x) => x.name === f.field) || filterable[0];
    const fieldSel = select(filterable.map((x) => [x.name, x.label]), fieldDef.name, { "aria-label": "Field", class: "filter-field" });
    const row = h("li.filter-row");
    const opSlot = h("span.filter-op-slot");
    const valueSlot = h("span.filter-value-slot");
    const drawOp = (opKey, value) => {
      const def = filterable.find((x) => x.name === fieldSel.value);
      const ops = operatorsFor(def);
      const op = ops.some(([k]) => k === opKey) ? opKey : ops[0][0];
      const opSel = select(ops, op, { "aria-label": "Condition", class: "filter-op" });
      opSel.addEventListener("change", () => drawValue(def, opSel.value, valueSlot.querySelector(".filter-value")?.value ?? ""));
      clear(opSlot, opSel);
      drawValue(def, op, value);
    };
    const drawValue = (def, op, value) => clear(valueSlot, valueControl(def, op, value ?? ""));
    fieldSel.addEventListener("change", () => drawOp(null, ""));
    row.append(fieldSel, opSlot, valueSlot,
      h("button.icon", { type: "button", "aria-label": "Remove this filter", title: "Remove", onclick: () => {
        const next = row.nextElementSibling || row.previousElementSibling;
        row.remove();
        (next?.querySelector("select") || addButton).focus();
      } }, "×"));
    rows.append(row);
    drawOp(f.op, f.value);
    if (focus) fieldSel.focus();
  }

  const read = () => [...rows.children].map((row) => ({
    field: row.querySelector(".filter-field").value,
    op: row.querySelector(".filter-op").value,
    value: row.querySelector(".filter-value")?.value ?? "",
  })).filter((f) => OPS[f.op].noValue || f.value !== "");

  const addButton = h("button.small", { type: "button", onclick: () => addRow({}, true) }, "+ Add filter");
  const apply = h("button.primary.small", { type: "submit" }, "Apply filters");
  const clearAll = h("button.small", { type: "button", onclick: () => { rows.replaceChildren(); onApply([]); } }, "Clear all");
  const form = h("form.filter-panel", { id: panelId, novalidate: true, "aria-label": "Filters" },
    h("p.hint", "Records must match every filter."), rows, h("div.actions.left", addButton, apply, clearAll));
  form.hidden = !initial.length;
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    onApply(read());
  });
  for (const f of initial) addRow(f);

  const count = initial.length;
  const toggle = h("button", { type: "button", "aria-expanded": String(!form.hidden), "aria-controls": panelId },
    "Filter", count ? h("span.count", ` ${count}`) : null);
  toggle.addEventListener("click", () => {
    form.hidden = !form.hidden;
    toggle.setAttribute("aria-expanded", String(!form.hidden));
    if (!form.hidden) {
      if (!rows.children.length) addRow({}, true);
      else rows.querySelector("select")?.focus();
    }
  });
  return { toggle, panel: form };
}
