// The records grid follows other people's changes (realtime.js): an update redraws its row, a
// delete (moving to the trash) removes it, an insert (or a restore) is placed where the current
// filters and order put it, by reading the first page again. That read also happens when the
// channel is joined (or joined again after a dropped connection), for what changed before then:
// rows added or changed on the first page show, and a shown row above the page's last one that
// the page no longer holds is looked up: gone to the trash, it goes, as a DELETE would have
// taken it (changed out of the filters, it stays, as an UPDATE would have left it).
//
// Only the record's id and version are taken from the message; the row is read again through
// /api, so the grid shows exactly what a reload would (computed fields included), whatever else
// the message carries. Our own saves arrive too: a version the row already shows is skipped.

import * as api from "../api.js";
import { watchFor } from "../realtime.js";

// A first insert reads the first page at once; more within this time (an import) read it once
// more when it ends: at most about three reads a second, however many records arrive.
const INSERTS_COOLDOWN_MS = 300;
// Rows looked up on one join (in one /rest/v1 `id=in.(…)` read): a page and a half.
const MAX_LOOKED_UP = 75;

/**
 * liveGrid(view, {object, grid, firstPage, counted}) starts following `object`'s changes for
 * the grid shown in `view`; returns what stops it. firstPage() reads the grid's first page
 * with its filters, order and count; counted(total | {delta}) updates the record count.
 */
export function liveGrid(view, { object, grid, firstPage, counted }) {
  let cooling = null; // the cooldown's timer, while one runs
  let again = false; // an insert arrived during the cooldown

  function inserted() {
    if (cooling) {
      again = true;
      return;
    }
    placeInserted();
    cooling = setTimeout(() => {
      cooling = null;
      if (again) {
        again = false;
        inserted();
      }
    }, INSERTS_COOLDOWN_MS);
  }

  async function placeInserted({ joined = false } = {}) {
    const page = await firstPage().catch(() => null);
    if (!page) return;
    let previous = null;
    for (const record of page.items) {
      const shown = grid.shown(record.id);
      if (!shown) grid.insertAfter(record, previous);
      else if (record.version > shown.version) grid.patch(record);
      previous = record.id;
    }
    const removed = joined ? await removeTrashed(page) : 0;
    counted(typeof page.total === "number" ? page.total : { delta: -removed }); // the count of rows shown, else
  }

  // The shown rows above the first page's last one (all of them when it is the only page) that
  // the page does not hold: those no longer live are removed; returns how many.
  async function removeTrashed(page) {
    const held = new Set(page.items.map((record) => String(record.id)));
    const last = page.next_cursor ? String(page.items.at(-1)?.id) : null;
    const missing = [];
    for (const id of grid.shownIds()) {
      if (id === last || missing.length === MAX_LOOKED_UP) break;
      if (!held.has(id)) missing.push(id);
    }
    if (!missing.length) return 0;
    const live = await api.records.rows(object, { select: "id", id: `in.(${missing.join(",")})` })
      .catch(() => null);
    if (!live) return 0;
    const alive = new Set(live.map((row) => row.id));
    return missing.filter((id) => !alive.has(id) && grid.removeId(id)).length;
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
      inserted();
    } else if (change.type === "UPDATE") {
      updated(change.record?.id, change.record?.version);
    } else if (change.type === "DELETE" && grid.removeId(change.old_record?.id)) {
      counted({ delta: -1 });
    }
  }, () => placeInserted({ joined: true }));
}
