// The dialog that names a saved view and chooses how it shows records: a grid (and its
// columns), a kanban board by a select field, or a month calendar by a date field; shared with
// everyone (admins) or not.

import { valueField } from "../fields/types.js";
import { canAdmin } from "../state.js";
import { busy, checkbox, field, formSummary, h, modal, select, showFormErrors } from "../ui.js";

const TYPES = [["grid", "Grid"], ["kanban", "Kanban board"], ["calendar", "Calendar"]];

/**
 * viewDialog(title, schema, initial, shown, save) → the saved view, or undefined when
 * cancelled; `shown` are the columns the grid shows now ([{name, width}], in order): a grid
 * view keeps their order and widths, fields checked here come after them; save({name, type,
 * group_by, date_field, fields, shared}) sends it (its error is shown in the form).
 */
export function viewDialog(title, schema, initial, shown, save) {
  // A formula fills a calendar by its result type (a date or datetime).
  const pick = (types) => schema.fields.filter((f) => types.includes(valueField(f).type)).map((f) => [f.name, f.label]);
  const groups = pick(["select"]);
  const dates = pick(["date", "datetime"]);
  return modal(title, (close) => {
    const name = field("Name", h("input", { value: initial.name || "", required: true }), { errorFor: "name", required: true });
    const type = field("Show as", select(TYPES, initial.type || "grid"), { errorFor: "type" });
    const groupBy = field("Columns by", select([["", "Choose a select field…"], ...groups], initial.group_by),
      { errorFor: "group_by", hint: groups.length ? "One column per option of this field." : "Add a select field first." });
    const dateField = field("Dates from", select([["", "Choose a date field…"], ...dates], initial.date_field),
      { errorFor: "date_field", hint: dates.length ? "Each record shows on this day." : "Add a date field first." });
    const shownNames = shown.map((c) => c.name);
    const boxes = schema.fields.map((f) => checkbox(f.label, shownNames.includes(f.name), { value: f.name }));
    const columnsError = h("p.field-error", { dataset: { errorFor: "fields" }, hidden: true });
    const columns = h("fieldset.view-columns", h("legend", "Columns"), boxes, columnsError);
    const shared = canAdmin() ? checkbox("Shared with everyone in the workspace", initial.shared) : null;
    const show = () => {
      columns.hidden = type.control.value !== "grid";
      groupBy.hidden = type.control.value !== "kanban";
      dateField.hidden = type.control.value !== "calendar";
    };
    type.control.addEventListener("change", show);
    show();
    const submit = h("button.primary", { type: "submit" }, "Save view");
    const form = h("form.modal-body.stack", { novalidate: true }, formSummary(), name, type, columns, groupBy, dateField,
      shared ? h("div.form-field", shared) : h("p.hint", "Only you will see this view."),
      h("div.actions", h("button", { type: "button", onclick: () => close(undefined) }, "Cancel"), submit));
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      const kind = type.control.value;
      const body = { name: name.control.value.trim(), type: kind,
        group_by: kind === "kanban" ? groupBy.control.value || null : null,
        date_field: kind === "calendar" ? dateField.control.value || null : null,
        fields: columnsOf(shown, boxes.filter((b) => b.box.checked).map((b) => b.box.value)) };
      if (shared) body.shared = shared.box.checked;
      busy(submit, () => save(body).then(close, (err) => showFormErrors(form, err)));
    });
    return form;
  });
}

/** The checked columns: those shown now in their order and widths, then the newly checked. */
function columnsOf(shown, checked) {
  const kept = shown.filter((c) => checked.includes(c.name)).map((c) => (c.width ? { name: c.name, width: c.width } : { name: c.name }));
  const names = new Set(kept.map((c) => c.name));
  return [...kept, ...checked.filter((name) => !names.has(name)).map((name) => ({ name }))];
}
