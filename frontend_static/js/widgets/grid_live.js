// The grid following other people's changes (realtime): rows replaced, added, removed without
// moving the focus; a changed row is highlighted for a moment.

import { rove } from "./grid_keys.js";

const HIGHLIGHT_MS = 2_000;

function highlight(tr) {
  tr.classList.add("live-changed");
  setTimeout(() => tr.classList.remove("live-changed"), HIGHLIGHT_MS);
}

export function liveEdits(tbody, attach, rowOf, linksOf, selectionChanged) {
  const settle = () => rove(tbody, tbody.contains(document.activeElement) ? document.activeElement : null);
  return {
    /** The shown record with this id, or undefined. */
    shown: (id) => rowOf(id)?.record,
    /** The ids of the shown records, top to bottom (a draft row is not a record). */
    shownIds: () => [...tbody.querySelectorAll(":scope > tr[data-id]:not(.draft)")].map((tr) => tr.dataset.id),
    /**
     * A newer version of a shown record: its row redrawn and highlighted. A row with a cell being
     * edited is left as it is: saving that cell meets the 412 and reloads the row with a word.
     */
    patch(record) {
      const tr = rowOf(record.id);
      if (!tr || tr.querySelector("td.editing")) return false;
      const column = tr.contains(document.activeElement) ? document.activeElement.closest("td")?.dataset.field : null;
      const fresh = attach(record);
      tr.replaceWith(fresh);
      highlight(fresh);
      if (column) fresh.querySelector(`td[data-field="${CSS.escape(column)}"]`)?.focus();
      settle();
      return true;
    },
    /** A record someone added, after the row of `previousId` (first, below a draft, when null). */
    insertAfter(record, previousId) {
      if (rowOf(record.id)) return false;
      const tr = attach(record);
      const previous = rowOf(previousId) || tbody.querySelector(":scope > tr.draft");
      if (previous) previous.after(tr);
      else tbody.prepend(tr);
      highlight(tr);
      settle();
      linksOf(record.id);
      selectionChanged();
      return true;
    },
    /** A record someone deleted; focus moves only if it was in that row. */
    removeId(id) {
      const tr = rowOf(id);
      if (!tr) return false;
      const focused = tr.contains(document.activeElement);
      const next = tr.nextElementSibling || tr.previousElementSibling;
      tr.remove();
      if (focused) next?.querySelector("td[data-field]")?.focus();
      settle();
      selectionChanged();
      return true;
    },
  };
}
