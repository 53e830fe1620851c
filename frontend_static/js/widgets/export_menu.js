// "Export" on the records grid: the records the grid shows now (its view, search, filters and
// order, every page of them) as a CSV, JSONL or XLSX file. The file is fetched with the session's
// token and handed to the browser as a download (a plain link would not carry the token).

import * as api from "../api.js";
import { h, toast, toastError } from "../ui.js";

const FORMATS = [["csv", "CSV (spreadsheets)"], ["jsonl", "JSON Lines"], ["xlsx", "Excel (XLSX)"]];

/** Save a Blob under `filename` through a short-lived object URL. */
export function saveBlob(blob, filename) {
  const href = URL.createObjectURL(blob);
  const a = h("a", { href, download: filename, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 60_000);
}

/** `query()` gives the grid's current URLSearchParams (view, q, order, filters). */
export function exportMenu(object, query) {
  const menu = h("details.menu", h("summary.button", "Export"));
  const items = h("div.menu-items", { role: "group", "aria-label": "Export format" });
  for (const [format, label] of FORMATS) {
    items.append(h("button", { type: "button", onclick: (e) => run(format, e.currentTarget) }, label));
  }
  menu.append(items);
  // A menu closes as menus do: when focus leaves it, or on Escape (back to its button).
  menu.addEventListener("focusout", (e) => { if (!menu.contains(e.relatedTarget)) menu.open = false; });
  menu.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && menu.open) { menu.open = false; menu.querySelector("summary").focus(); }
  });

  async function run(format, button) {
    button.disabled = true;
    try {
      const { blob, filename } = await api.exports.file(object, format, query());
      saveBlob(blob, filename);
      menu.open = false;
      toast(`Exported ${filename}`);
    } catch (err) {
      toastError(err);
    } finally {
      button.disabled = false;
    }
  }
  return menu;
}
