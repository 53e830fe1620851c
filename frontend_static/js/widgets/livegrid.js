// The records grid follows other people's changes (realtime.js): an update redraws its row, a
// delete (moving to the trash) removes it, an insert (or a restore) is placed where the current
// filters and order put it, by reading the first page again.
//
// The change message only says which record changed; the row is read again through /api, so
// the grid shows exactly what a reload would (computed fields included), whatever the message
// carries. Our own saves arrive too: a version the row already shows is skipped.

import * as api from "../api.js";
import { watchFor } from "../realtime.js";

const INSERTS_SETTLE_MS = 300; // a burst of inserts (an import) reads the first page once

/**
 * liveGrid(view, {object, grid, firstPage, counted}) starts following `object`'s changes for
 * the grid shown in `view`; returns what stops it. firstPage() reads the grid's first page
 * with its filters, order and count; counted(total | {delta}) updates the record count.
 */
export function liveGrid(view, { object, grid, firstPage, counted }) {
  let timer = null;

  async function placeInserted() {
    const page = await firstPage().catch(() => null);
    if (!page) return;
    let previous = null;
    for (const record of page.items) {
      grid.insertAfter(record, previous);
      previous = record.id;
    }
    if (typeof page.total === "number") counted(page.total);
  }

  async function updated(id, version) {
    const shown = grid.shown(id);
    if (!shown || (typeof version === "number" && version <= shown.version)) return;
    let fresh;
    try {
      fresh = await api.records.get(id);
    } catch (err) {
      if (err.status === 404 && grid.removeId(id)) counted({ delta: -1 });
      return;
    }
    if (fresh.version > (grid.shown(id)?.version ?? Infinity)) grid.patch(fresh);
  }

  return watchFor(view, object, (change) => {
    if (change.type === "INSERT") {
      clearTimeout(timer);
      timer = setTimeout(placeInserted, INSERTS_SETTLE_MS);
    } else if (change.type === "UPDATE") {
      updated(change.record?.id, change.record?.version);
    } else if (change.type === "DELETE" && grid.removeId(change.old_record?.id)) {
      counted({ delta: -1 });
    }
  });
}
