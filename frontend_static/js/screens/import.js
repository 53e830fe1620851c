// The import wizard of one object: pick a CSV or XLSX file, map its columns to fields (with a
// preview of the first rows), choose the options, check it with a dry run, then run it and
// follow its progress. The server does the work (POST /api/objects/{id}/import, a job); this
// screen only builds the options and reports the job.
//
// The preview: a CSV's header and first 20 rows are read in the browser (widgets/csv_preview.js).
// An XLSX is not unzipped here (no library in a no-build admin): its columns come from the
// first dry run's `columns`, after which the mapping can be changed and checked again.

import * as api from "../api.js";
import { isComputed } from "../fields/types.js";
import { schema as loadSchema } from "../state.js";
import { busy, clear, dataTable, errorBox, field, h, pageHeader, select } from "../ui.js";
import { preview } from "../widgets/csv_preview.js";
import { follow } from "../widgets/import_report.js";

const DATE_FORMATS = [["", "ISO (2026-01-31)"], ["DD/MM/YYYY", "DD/MM/YYYY"], ["MM/DD/YYYY", "MM/DD/YYYY"],
  ["DD.MM.YYYY", "DD.MM.YYYY"], ["DD-MM-YYYY", "DD-MM-YYYY"]];
const IGNORE = "";

/** The field a column goes to by default: one named, else labelled, like it (any case). */
function autoMap(column, fields) {
  const key = column.trim().toLowerCase();
  return (fields.find((f) => f.name.toLowerCase() === key) || fields.find((f) => f.label.trim().toLowerCase() === key))?.name || IGNORE;
}

function mappingTable(header, rows, fields, chosen) {
  const choices = [[IGNORE, "— ignore —"], ...fields.map((f) => [f.name, f.label])];
  const selects = header.map((column, i) => select(choices, chosen[column] ?? autoMap(column, fields),
    { "aria-label": `Field for column ${column || i + 1}`, dataset: { column } }));
  const body = header.map((column, i) => h("tr",
    h("th", { scope: "row" }, column || h("span.muted", `(column ${i + 1})`)),
    h("td", selects[i]),
    h("td.sample", rows.slice(0, 3).map((r) => r[i] ?? "").filter(Boolean).join(" · "))));
  const table = dataTable("Columns of the file", ["Column", "Field", "First values"], body, { className: "import-map" });
  table.mapping = () => Object.fromEntries(selects.map((s) => [s.dataset.column, s.value || null]));
  return table;
}

function previewTable(header, rows) {
  if (!rows.length) return h("p.muted", "The file has no data rows.");
  return h("details.more", h("summary", `Preview of the first ${rows.length} rows`),
    dataTable("First rows of the file", header, rows.map((r) => h("tr", header.map((_, i) => h("td", r[i] ?? ""))))));
}

export async function render(view, { params }) {
  const s = await loadSchema(params.name);
  const importable = s.fields.filter((f) => !isComputed(f) && f.type !== "autonumber");
  const labelOf = (name) => s.fields.find((f) => f.name === name)?.label || name;
  const title = `Import ${(s.object.plural_label || s.object.label).toLowerCase()}`;
  const state = { file: null, delimiter: null, chosen: {}, table: null };
  let alive = true;

  const file = h("input", { type: "file", name: "file", accept: ".csv,.tsv,.txt,.xlsx,text/csv" });
  const columns = h("div.stack");
  const mode = select([["insert", "Insert: every row is a new record"], ["upsert", "Upsert: update the record with the same value"]], "insert", { name: "mode" });
  const unique = s.fields.filter((f) => f.is_unique);
  const matchOn = select(unique.length ? unique.map((f) => [f.name, f.label]) : [["", "(no unique field)"]], "", { name: "match_on" });
  const onError = select([["abort", "Abort: import nothing if a row fails"], ["skip", "Skip: import the good rows"]], "abort", { name: "on_error" });
  const dateFormat = select(DATE_FORMATS, "", { name: "date_format" });
  const matchField = field("Match on", matchOn, { hint: "A unique field: a row with a taken value updates that record" });
  const dry = h("button", { type: "button", disabled: true }, "Check (dry run)");
  const run = h("button.primary", { type: "button", disabled: true }, "Import");
  const result = h("div.stack", { "aria-live": "polite" });
  const syncMode = () => { matchField.hidden = mode.value !== "upsert"; };
  mode.addEventListener("change", syncMode);
  syncMode();

  function showColumns(header, rows, note) {
    state.table = mappingTable(header, rows || [], importable, state.chosen);
    state.table.addEventListener("change", () => { state.chosen = state.table.mapping(); });
    clear(columns, h("h2", "Columns"), note ? h("p.hint", note) : null, state.table, rows ? previewTable(header, rows) : null);
  }

  file.addEventListener("change", async () => {
    clear(result);
    state.file = file.files[0] || null;
    state.chosen = {};
    state.table = null;
    dry.disabled = run.disabled = !state.file;
    if (!state.file) return clear(columns);
    const seen = await preview(state.file);
    state.delimiter = seen.delimiter || null;
    if (seen.kind === "xlsx") {
      clear(columns, h("h2", "Columns"), h("p.hint",
        "An Excel file is not previewed here: run a check (dry run) to see its columns and how they map; you can change the mapping after it."));
    } else {
      showColumns(seen.header, seen.rows);
    }
  });

  function options(dryRun) {
    const out = { mode: mode.value, on_error: onError.value, dry_run: dryRun };
    if (mode.value === "upsert") out.match_on = matchOn.value;
    if (dateFormat.value) out.date_format = dateFormat.value;
    if (state.delimiter) out.delimiter = state.delimiter;
    if (state.table) out.mapping = state.table.mapping();
    return out;
  }

  async function start(dryRun) {
    clear(result);
    let job;
    try {
      const { id } = await api.imports.start(s.object.name, state.file, options(dryRun));
      job = await follow(id, result, labelOf, state.file.name, () => alive);
    } catch (err) {
      clear(result, errorBox(err, (f) => f.replace(/^mapping\./, "Column ")));
      return;
    }
    if (!state.table && job.columns) { // an XLSX: its columns are known now
      const header = Object.keys(job.columns);
      state.chosen = Object.fromEntries(header.map((c) => [c, job.columns[c] || IGNORE]));
      showColumns(header, null, "Columns read by the check; change a field and check again.");
    }
    if (!dryRun && job.status === "succeeded") {
      result.append(h("p", h("a.button.primary", { href: `#/objects/${s.object.name}` }, `See the ${(s.object.plural_label || s.object.label).toLowerCase()}`)));
    }
  }
  dry.addEventListener("click", () => busy(dry, () => start(true)));
  run.addEventListener("click", () => busy(run, () => start(false)));

  clear(view,
    pageHeader(title, h("a.button", { href: `#/objects/${s.object.name}` }, "Back to records")),
    h("p.lead", "A CSV (comma, semicolon, tab or | separated, UTF-8) or an Excel file, one record per row, a header row first."),
    h("div.stack",
      field("File", file, { hint: "Columns match fields by name or label; change any below" }),
      columns,
      h("h2", "Options"),
      h("div.form-grid", field("Mode", mode), matchField, field("When a row fails", onError),
        field("Dates written as", dateFormat, { hint: "ISO dates are always read" })),
      h("div.actions", dry, run),
      result));
  return () => { alive = false; };
}
