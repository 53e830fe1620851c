// A record page follows other people's changes to its record (realtime.js): an update shows the
// new values at once, unless the form holds edits of the person reading it, who then gets a
// notice instead of losing them; a move to the trash says so; a restore shows it again. When the
// channel is joined (or joined again after a dropped connection), the record is read once more,
// for a change made before then.

import * as api from "../api.js";
import { watchFor } from "../realtime.js";
import { actorName, people, state } from "../state.js";
import { clear, h } from "../ui.js";

/**
 * liveRecord(view, {object, record, values, notice, reload}): `values` is the form's card (with
 * saving and unsaved()), `notice` where words go, reload() draws the page again. Returns what
 * stops it.
 */
export function liveRecord(view, { object, record, values, notice, reload }) {
  const current = () => view.contains(values); // a re-render replaced this page: its own watch decides

  async function updated(change) {
    await values.saving; // our own save: its answer draws the page again
    if (!current() || !(await newer(change, record)) || !current()) return;
    if (!values.unsaved()) return reload();
    showNotice(notice, "div.alert.warn",
      `${await whoChanged(change.record?.updated_by)} changed this record while you were editing it. `
      + "Saving now would be refused. ",
      h("button.small", { type: "button", onclick: () => reload() }, "Show their version (discards your edits)"));
  }

  function trashed() {
    showNotice(notice, "div.alert.error", "This record was moved to the trash. ",
      h("a", { href: `#/objects/${object}/trash` }, "Open the trash"));
    for (const button of view.querySelectorAll("button[type=submit], .page-actions button.danger")) button.disabled = true;
  }

  async function caughtUp() {
    let fresh;
    try {
      fresh = await api.records.get(record.id);
    } catch (err) {
      if (err.status === 404 && current()) trashed();
      return;
    }
    if (fresh.version > record.version) updated({ record: fresh });
  }

  return watchFor(view, object, (change) => {
    const id = change.record?.id ?? change.old_record?.id;
    if (id !== record.id || !current()) return;
    if (change.type === "UPDATE") updated(change);
    else if (change.type === "DELETE") trashed();
    else if (change.type === "INSERT") reload(); // restored from the trash
  }, caughtUp);
}

/** Whether the change is newer than the version shown (read again when the message lacks it). */
async function newer(change, record) {
  const version = change.record?.version;
  if (typeof version === "number") return version > record.version;
  const fresh = await api.records.get(record.id).catch(() => null);
  return Boolean(fresh) && fresh.version > record.version;
}

function showNotice(notice, kind, ...content) {
  clear(notice, h(kind, { role: "alert" }, h("p", ...content)));
}

/** "Alice Owner", "You" (in another tab), or "Someone" (a name this person may not read). */
async function whoChanged(actor) {
  const names = await people();
  if (!actor || !(names.has(actor) || actor === state.me?.id)) return "Someone";
  const who = actorName(actor, names);
  return who.charAt(0).toUpperCase() + who.slice(1);
}
