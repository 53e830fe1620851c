// A record in a side panel over the records screen (`#/objects/<name>?record=<id>` or
// `?record=new`): the record form, its related records and history, "Open full page". The list
// stays visible beside it; the panel is a modal dialog for the keyboard: focus moves into it,
// Tab stays in it, Escape or Close shut it and focus goes back where it was.

import { current, go, replaceQuery } from "../router.js";
import { canWrite, objects as loadObjects, schema as loadSchema } from "../state.js";
import { clear, confirmDialog, errorBox, h, icon, nextId } from "../ui.js";
import { historyCard } from "./history.js";
import { liveRecord } from "./liverecord.js";
import { loadRecord, recordForm, relatedCards } from "./record_form.js";

const FOCUSABLE = "a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]),"
  + " textarea:not([disabled]), [tabindex]:not([tabindex='-1'])";

/**
 * openRecordPanel({schema, id, host, returnFocus, onSaved, onClose}) shows `id` ("new" for a new
 * record of the schema's object) in a panel appended to `host` (the screen's view, so a screen
 * change removes it). onSaved(record, {created}) after a save; onClose() when it is shut.
 * Returns the panel element with close(), show(id) and destroy().
 */
export function openRecordPanel({ schema: s, id, host, returnFocus, onSaved, onClose }) {
  const titleId = nextId("panel-title");
  const title = h("h2", { id: titleId, tabindex: "-1" }, "Loading…");
  const full = h("a.button.small", { href: "#" }, icon("open"), " Open full page");
  const closeButton = h("button.icon", { type: "button", "aria-label": "Close panel" }, icon("close"));
  const body = h("div.panel-body", h("p.muted", "Loading…"));
  const foot = h("div.panel-foot");
  const notice = h("div.live-notice");
  const el = h("aside.record-panel", { role: "dialog", "aria-modal": "true", "aria-labelledby": titleId },
    h("div.panel-head", title, h("div.panel-actions", full, closeButton)), notice, body, foot);
  const back = returnFocus || (document.activeElement !== document.body ? document.activeElement : null);
  let form = null;
  let stopLive = null;
  let shut = false;

  async function close({ force = false } = {}) {
    if (shut) return;
    if (!force && form?.unsaved() && !(await confirmDialog("Discard your changes?",
      "This record has changes you have not saved.", { confirmLabel: "Discard", danger: true }))) {
      return;
    }
    shut = true;
    stopLive?.();
    document.removeEventListener("focusin", keepFocus);
    el.remove();
    onClose?.();
    const target = typeof back === "function" ? back() : back;
    if (target?.isConnected) target.focus();
  }

  function keepFocus(e) {
    // Focus wandering out (a click on the list behind) comes back, unless a dialog or a toast took it.
    if (!el.isConnected || el.contains(e.target) || e.target.closest?.("dialog, .toasts")) return;
    (el.querySelector("form input, form select, form textarea") || title).focus();
  }

  el.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && !e.defaultPrevented) {
      e.preventDefault();
      close();
    } else if (e.key === "Tab") {
      const items = [...el.querySelectorAll(FOCUSABLE)].filter((x) => x.offsetParent !== null);
      if (!items.length) return;
      const first = items[0];
      const last = items[items.length - 1];
      if (e.shiftKey && (document.activeElement === first || document.activeElement === title)) {
        e.preventDefault();
        last.focus();
      } else if (!e.shiftKey && document.activeElement === last) {
        e.preventDefault();
        first.focus();
      }
    }
  });
  closeButton.addEventListener("click", () => close());
  document.addEventListener("focusin", keepFocus);

  async function show(which, focusSelectors = []) {
    stopLive?.();
    stopLive = null;
    clear(notice);
    const writer = canWrite();
    try {
      if (which === "new") {
        title.textContent = `New ${s.object.label.toLowerCase()}`;
        full.href = `#/objects/${s.object.name}/new`;
        form = recordForm({
          schema: s, record: null, writer,
          onCancel: () => close({ force: true }),
          onSaved: async (saved, how) => {
            await onSaved?.(saved, how);
            await show(saved.id);
          },
        });
        clear(body, h("section.card", { "aria-label": "Values" }, form.el));
        clear(foot, form.footer);
      } else {
        const [{ record, schema }, objs] = await Promise.all([loadRecord(which, () => loadSchema(s.object.name)), loadObjects()]);
        if (shut) return;
        if (record.object !== s.object.name) {
          // A record of another object: its own page shows it.
          shut = true;
          el.remove();
          go(`/records/${record.id}`);
          return;
        }
        title.textContent = record.primary_value || "(no name)";
        full.href = `#/records/${record.id}`;
        const reload = (selectors) => show(record.id, selectors);
        form = recordForm({
          schema, record, writer,
          onCancel: () => close(),
          onReload: () => reload(),
          onSaved: async (saved, how) => {
            await onSaved?.(saved, how);
            await reload();
          },
        });
        const related = relatedCards({ schema, record, objects: objs, writer, reload });
        clear(body, h("section.card", { "aria-label": "Values" }, form.el), related, historyCard(record, schema));
        clear(foot, form.footer);
        await Promise.all(related.map((card) => card.ready));
        stopLive = liveRecord(el, { object: schema.object.name, record, values: form.el, notice, reload });
      }
    } catch (err) {
      title.textContent = err.status === 404 ? "Record not found" : "Something went wrong";
      clear(body, errorBox(err));
      clear(foot, h("button", { type: "button", onclick: () => close({ force: true }) }, "Close"));
    }
    const target = [focusSelectors, "form input:not([disabled]), form select:not([disabled]), form textarea:not([disabled])"]
      .flat().map((sel) => el.querySelector(sel)).find(Boolean);
    (target || title).focus();
  }

  /** Gone with its screen: stop following changes and keeping focus, no callbacks. */
  function destroy() {
    shut = true;
    stopLive?.();
    document.removeEventListener("focusin", keepFocus);
  }

  host.append(el);
  el.ready = show(id);
  return Object.assign(el, { close, show, destroy });
}

/** `?record=<id>` (or `new`): that record in the side panel over the list (openRecordPanel);
 * the URL follows it (a created record's id, no `record` once closed) and focus returns to its row. */
export function panelFromQuery(view, s, query, saved) {
  let shown = query.get("record");
  if (!shown) return null;
  const setRecord = (id) => {
    const q = new URLSearchParams(current().query);
    if (id) q.set("record", id);
    else q.delete("record");
    replaceQuery(q);
  };
  return openRecordPanel({
    schema: s, id: shown, host: view,
    returnFocus: () => view.querySelector(`tr[data-id="${CSS.escape(shown)}"] td[data-field]`) || view.querySelector("h1"),
    onSaved: (record, how) => {
      if (how.created) setRecord(shown = record.id);
      saved(record, how);
    },
    onClose: () => setRecord(null),
  });
}
