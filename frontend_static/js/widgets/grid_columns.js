// The grid's columns as a person arranges them: their order, which are hidden and how wide each
// is (a view's `fields: [{name, width, hidden}]`, in order), the "Fields" menu that shows, hides
// and moves them, and the handles on the header edges that resize them (mouse or keyboard).
//
// The primary field always comes first and stays shown: it is the column frozen on the left.
// A layout is saved in the view shown (PATCH /api/views/{id}) when the person may change it;
// otherwise it is kept for the session (per object) until saved as a view.

import * as api from "../api.js";
import { h, nextId, toastError } from "../ui.js";
import { mayChange } from "./views_bar.js";

export const DEFAULT_WIDTH = 180;
export const MIN_WIDTH = 60;
const MAX_WIDTH = 2000; // the views API's bound
const KEY_STEP = 16;

const unsaved = new Map(); // object name → layout changed outside a view, for this session

/** The primary field's name: the object's primary field, else its first text field. */
export function primaryName(schema) {
  const byId = schema.fields.find((f) => f.id === schema.object.primary_field_id);
  return (byId || schema.fields.find((f) => f.type === "text"))?.name || null;
}

/**
 * The layout [{name, width, hidden}] of every field: the view's columns in its order (fields it
 * does not name come after, hidden), else the fields in display order (hidden unless visible).
 */
export function initialLayout(schema, view) {
  const byName = new Map(schema.fields.map((f) => [f.name, f]));
  let layout;
  if (view?.fields?.length) {
    layout = view.fields.filter((c) => byName.has(c.name))
      .map((c) => ({ name: c.name, width: c.width ?? null, hidden: Boolean(c.hidden) }));
    const named = new Set(layout.map((c) => c.name));
    for (const f of schema.fields) if (!named.has(f.name)) layout.push({ name: f.name, width: null, hidden: true });
  } else {
    layout = (!view && unsaved.get(schema.object.name))
      || schema.fields.map((f) => ({ name: f.name, width: null, hidden: !f.is_visible }));
  }
  const primary = primaryName(schema);
  const at = layout.findIndex((c) => c.name === primary);
  if (at > 0) layout.unshift(...layout.splice(at, 1));
  if (at >= 0) layout[0] = { ...layout[0], hidden: false };
  return layout.map((c) => ({ ...c }));
}

/** What the view's `fields` holds for a layout. */
export const viewFields = (layout) => layout.map((c) => ({ name: c.name, width: c.width ?? null, hidden: Boolean(c.hidden) }));

/**
 * A saver for layout changes: PATCH the view (debounced: a drag saves once), or keep it for the
 * session. `said(text)` reports where it went.
 */
export function layoutSaver({ schema, view, said }) {
  let timer = null;
  const writable = Boolean(view) && mayChange(view);
  return (layout) => {
    if (!view) {
      unsaved.set(schema.object.name, layout.map((c) => ({ ...c })));
      said("Kept for this session: “Save view” keeps these columns.");
      return;
    }
    if (!writable) {
      said("This view is not yours to change: “Save view” makes a copy with these columns.");
      return;
    }
    clearTimeout(timer);
    timer = setTimeout(async () => {
      try {
        const saved = await api.views.update(view.id, { fields: viewFields(layout) });
        view.fields = saved.fields;
        said(`Saved in the view “${view.name}”.`);
      } catch (err) {
        toastError(err);
      }
    }, 300);
  };
}

/**
 * The "Fields" button and its menu: a checkbox per field (shown or hidden) and buttons that
 * move it left or right. onChange(layout) gets the new layout after each change.
 */
export function fieldsMenu({ schema, layout, onChange }) {
  const byName = new Map(schema.fields.map((f) => [f.name, f]));
  const id = nextId("fields-menu");
  const button = h("button.fields-button", { type: "button", "aria-expanded": "false", "aria-controls": id }, "Fields");
  const list = h("ol.fields-list");
  const note = h("p.hint.fields-note", { "aria-live": "polite" });
  const panel = h("div.fields-menu", { id, role: "group", "aria-label": "Fields shown in the grid" },
    h("p.fields-title", "Fields: show, hide, move"), list, note);
  panel.hidden = true;
  const primary = primaryName(schema);

  function draw(focusName, focusWhat) {
    list.replaceChildren(...layout.map((c, i) => {
      const f = byName.get(c.name);
      const boxId = `${id}-${i}`;
      const box = h("input", { type: "checkbox", id: boxId, checked: !c.hidden, disabled: c.name === primary });
      box.addEventListener("change", () => {
        c.hidden = !box.checked;
        changed(c.name, "box");
      });
      const left = h("button.small.ghost", { type: "button", "aria-label": `Move ${f.label} left`, title: "Move left",
        disabled: i === 0 || c.name === primary || layout[i - 1]?.name === primary, dataset: { move: "left" } }, "←");
      const right = h("button.small.ghost", { type: "button", "aria-label": `Move ${f.label} right`, title: "Move right",
        disabled: i === layout.length - 1 || c.name === primary, dataset: { move: "right" } }, "→");
      left.addEventListener("click", () => move(i, -1));
      right.addEventListener("click", () => move(i, 1));
      return h("li", { dataset: { name: c.name } }, box, h("label", { for: boxId }, f.label, c.name === primary ? " (primary)" : ""),
        h("span.moves", left, right));
    }));
    if (focusName) {
      const li = list.querySelector(`li[data-name="${CSS.escape(focusName)}"]`);
      const target = focusWhat === "box" ? li?.querySelector("input")
        : li?.querySelector(`button[data-move="${focusWhat}"]:not(:disabled)`) || li?.querySelector("input");
      target?.focus();
    }
  }
  function move(i, by) {
    const [c] = layout.splice(i, 1);
    layout.splice(i + by, 0, c);
    changed(c.name, by < 0 ? "left" : "right");
  }
  function changed(name, what) {
    draw(name, what);
    onChange(layout);
  }
  const toggle = (open) => {
    panel.hidden = !open;
    button.setAttribute("aria-expanded", String(open));
    if (open) {
      draw();
      list.querySelector("input:not(:disabled)")?.focus();
    }
  };
  button.addEventListener("click", () => toggle(panel.hidden));
  panel.addEventListener("keydown", (e) => {
    if (e.key === "Escape") {
      e.preventDefault();
      toggle(false);
      button.focus();
    }
  });
  return { button, panel, say: (text) => { note.textContent = text; } };
}

/**
 * A handle on a header's right edge that resizes its column: drag it, or focus it and press
 * the left and right arrow keys. resize(width) shows a width; done(width) keeps it.
 */
export function resizeHandle(label, width, { resize, done }) {
  let current = width;
  const handle = h("span.col-resize", { role: "separator", tabindex: "0", "aria-orientation": "vertical",
    "aria-label": `Resize ${label}`, "aria-valuemin": String(MIN_WIDTH), "aria-valuemax": String(MAX_WIDTH),
    "aria-valuenow": String(width), title: "Drag (or use the arrow keys) to resize" });
  const set = (w) => {
    current = Math.round(Math.max(MIN_WIDTH, Math.min(MAX_WIDTH, w)));
    handle.setAttribute("aria-valuenow", String(current));
    resize(current);
  };
  handle.addEventListener("pointerdown", (e) => {
    e.preventDefault();
    const startX = e.clientX;
    const start = current;
    handle.setPointerCapture(e.pointerId);
    handle.classList.add("dragging");
    const moveTo = (ev) => set(start + ev.clientX - startX);
    const up = () => {
      handle.classList.remove("dragging");
      handle.removeEventListener("pointermove", moveTo);
      handle.removeEventListener("pointerup", up);
      handle.removeEventListener("pointercancel", up);
      done(current);
    };
    handle.addEventListener("pointermove", moveTo);
    handle.addEventListener("pointerup", up);
    handle.addEventListener("pointercancel", up);
  });
  handle.addEventListener("click", (e) => e.stopPropagation());
  handle.addEventListener("keydown", (e) => {
    if (e.key !== "ArrowLeft" && e.key !== "ArrowRight") return;
    e.preventDefault();
    e.stopPropagation();
    set(current + (e.key === "ArrowRight" ? KEY_STEP : -KEY_STEP));
    done(current);
  });
  return handle;
}

const DRAG_TYPE = "text/x-objectry-column";

/** Drag a column's header onto another's to move it there (the keyboard's way is the Fields
 * menu). The primary column takes no part: it stays first. moved() runs after a move. */
export function dragToMove(th, name, layout, moved) {
  th.draggable = true;
  th.addEventListener("dragstart", (e) => {
    e.dataTransfer.setData(DRAG_TYPE, name);
    e.dataTransfer.effectAllowed = "move";
  });
  th.addEventListener("dragover", (e) => {
    if (!e.dataTransfer.types.includes(DRAG_TYPE)) return;
    e.preventDefault();
    th.classList.add("drop-target");
  });
  th.addEventListener("dragleave", () => th.classList.remove("drop-target"));
  th.addEventListener("drop", (e) => {
    e.preventDefault();
    th.classList.remove("drop-target");
    const from = layout.findIndex((c) => c.name === e.dataTransfer.getData(DRAG_TYPE));
    const to = layout.findIndex((c) => c.name === name);
    if (from < 0 || to < 0 || from === to) return;
    layout.splice(to, 0, ...layout.splice(from, 1));
    moved();
  });
}
