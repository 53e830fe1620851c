// An import job as a person follows it: a progress bar while it runs (polling the job), then
// its counts, the first errors (row, field, message) and the whole error list as a CSV made in
// the browser from the job's `errors`.

import * as api from "../api.js";
import { clear, dataTable, h } from "../ui.js";
import { saveBlob } from "./export_menu.js";

const POLL_MS = 400;
const SHOWN_ERRORS = 20;

const csvCell = (v) => (/[",\r\n]/.test(String(v ?? "")) ? `"${String(v).replace(/"/g, '""')}"` : String(v ?? ""));

/** The job's errors as a CSV file (row, field, code, message), RFC 4180. */
export function errorsCsv(errors) {
  const lines = [["row", "field", "code", "message"], ...errors.map((e) => [e.row, e.field, e.code, e.message])];
  return new Blob([lines.map((l) => l.map(csvCell).join(",")).join("\r\n") + "\r\n"], { type: "text/csv" });
}

function progressLine(job) {
  const total = job.rows_total;
  const bar = h("progress", { max: total || 1, value: total ? job.rows_done : 0, "aria-label": "Import progress" });
  if (!total) bar.removeAttribute("value"); // indeterminate until the rows are counted
  return h("div.import-progress", bar,
    h("p.muted", total ? `${job.rows_done} of ${total} rows` : "Counting rows…"));
}

const STATUS = {
  running: "Running…",
  succeeded: (job) => `${job.dry_run ? "Dry run done: nothing was saved" : "Import done"}${
    job.skipped ? ` (${job.skipped} failed ${job.skipped === 1 ? "row" : "rows"} left out)` : ""}`,
  failed: (job) => (job.dry_run && job.on_error === "abort" && job.skipped
    ? `Dry run: ${job.skipped} ${job.skipped === 1 ? "row fails" : "rows fail"}, so with “Abort” nothing would be imported (choose “Skip” to import the good rows)`
    : `Import failed${job.reason ? `: ${job.reason}` : ""}`),
};

/** The report of a finished (or running) job; `labelOf` turns a field name into its label. */
export function report(job, labelOf, fileName) {
  const head = STATUS[job.status];
  const errors = job.errors || [];
  const counts = h("div.import-counts",
    h("span", h("strong", String(job.rows_total ?? "?")), " rows"),
    h("span", h("strong", String(job.created)), job.dry_run ? " would be created" : " created"),
    h("span", h("strong", String(job.updated)), job.dry_run ? " would be updated" : " updated"),
    h("span", h("strong", String(job.skipped)), " failed"));
  const download = errors.length
    ? h("button", { type: "button", onclick: () => saveBlob(errorsCsv(errors), `${fileName.replace(/\.[^.]+$/, "")}-errors.csv`) },
      "Download error report (CSV)")
    : null;
  return h("div.import-report.stack", { dataset: { status: job.status } },
    h(`div.alert.${job.status === "failed" ? "error" : errors.length ? "warn" : "ok"}`, { role: "status" },
      h("p", h("strong", typeof head === "function" ? head(job) : head))),
    progressLine(job),
    counts,
    errors.length ? dataTable("First errors", ["Row", "Field", "Problem"],
      errors.slice(0, SHOWN_ERRORS).map((e) => h("tr", h("td", String(e.row)), h("td", e.field ? labelOf(e.field) : ""),
        h("td", e.message || e.code)))) : null,
    errors.length > SHOWN_ERRORS ? h("p.muted", `…and ${errors.length - SHOWN_ERRORS} more in the report.`) : null,
    download);
}

/** Poll job `id` into `box` until it ends; resolves with the final job. `alive()` false stops it
 * (the person left the screen). */
export async function follow(id, box, labelOf, fileName, alive = () => true) {
  for (;;) {
    const job = await api.imports.get(id);
    clear(box, report(job, labelOf, fileName));
    if (job.status !== "running" || !alive()) return job;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
