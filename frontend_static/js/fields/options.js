// The options of a select / multi-select: label, stored value (derived from the label until
// edited), colour; reorder with buttons so it works by keyboard.

import { h, nextId, slugify } from "../ui.js";

const PALETTE = ["#6366f1", "#0ea5e9", "#10b981", "#f59e0b", "#ef4444", "#ec4899", "#8b5cf6", "#64748b"];

export function optionsEditor(initial) {
  const list = h("ol.options-list");
  const errorSlot = h("p.field-error", { dataset: { errorFor: "config.options" } });
  errorSlot.hidden = true;

  function renumber() {
    [...list.children].forEach((row, i) => {
      row.querySelector(".field-error").dataset.errorFor = `config.options.${i}`;
      row.querySelector(".opt-label").setAttribute("aria-label", `Option ${i + 1} label`);
      row.querySelector(".opt-value").setAttribute("aria-label", `Option ${i + 1} stored value`);
      row.querySelector(".opt-color").setAttribute("aria-label", `Option ${i + 1} colour`);
      row.querySelector(".up").disabled = i === 0;
      row.querySelector(".down").disabled = i === list.children.length - 1;
    });
  }

  function addRow(opt = {}, focus = false) {
    const label = h("input.opt-label", { value: opt.label ?? "", placeholder: "Label" });
    const value = h("input.opt-value.mono", { value: opt.value ?? "", placeholder: "value" });
    value.dataset.auto = opt.value ? "" : "1";
    label.addEventListener("input", () => {
      if (value.dataset.auto) value.value = slugify(label.value) || label.value.trim().toLowerCase();
    });
    value.addEventListener("input", () => { value.dataset.auto = ""; });
    const color = h("input.opt-color", { type: "color", value: opt.color || PALETTE[list.children.length % PALETTE.length] });
    const move = (dir) => () => {
      const sibling = dir < 0 ? row.previousElementSibling : row.nextElementSibling;
      if (!sibling) return;
      if (dir < 0) sibling.before(row);
      else sibling.after(row);
      renumber();
      row.querySelector(dir < 0 ? ".up" : ".down").focus();
    };
    const err = h("p.field-error", { id: nextId("err") });
    err.hidden = true;
    const row = h("li.option-row",
      h("div.option-inputs", label, value, color,
        h("button.icon.up", { type: "button", title: "Move up", "aria-label": "Move option up", onclick: move(-1) }, "↑"),
        h("button.icon.down", { type: "button", title: "Move down", "aria-label": "Move option down", onclick: move(1) }, "↓"),
        h("button.icon", { type: "button", title: "Remove", "aria-label": "Remove option", onclick: () => {
          const next = row.nextElementSibling || row.previousElementSibling;
          row.remove();
          renumber();
          (next?.querySelector(".opt-label") || addButton).focus();
        } }, "×")),
      err);
    list.append(row);
    renumber();
    if (focus) label.focus();
  }

  const addButton = h("button.small", { type: "button", onclick: () => addRow({}, true) }, "+ Add option");
  for (const opt of initial) addRow(opt);
  if (!initial.length) addRow();
  const el = h("fieldset.options", h("legend", "Options"),
    h("p.hint", "The label is what people see; the stored value is what the API reads and writes."),
    list, errorSlot, addButton);
  return {
    el,
    read: () => [...list.children].map((row) => {
      const opt = { value: row.querySelector(".opt-value").value.trim(), label: row.querySelector(".opt-label").value.trim() };
      const color = row.querySelector(".opt-color").value;
      if (color) opt.color = color;
      return opt;
    }).filter((o) => o.value || o.label),
  };
}
