// Small DOM helpers shared by every screen: element builder, labelled inputs, dialogs, toasts,
// and the one way an API error is put in front of a person.

import { readable } from "./api_errors.js";

let uid = 0;
export const nextId = (prefix = "el") => `${prefix}-${++uid}`;

/** h("button.primary", {type: "button", onclick: fn}, "Save") */
export function h(tag, attrs = {}, ...children) {
  if (attrs === null || typeof attrs !== "object" || attrs instanceof Node || Array.isArray(attrs)) {
    children.unshift(attrs);
    attrs = {};
  }
  const [name, ...classes] = tag.split(".");
  const el = document.createElement(name || "div");
  if (classes.length) el.className = classes.join(" ");
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") {
      el.addEventListener(key.slice(2), value);
    } else if (key === "class") {
      el.className = [el.className, value].filter(Boolean).join(" ");
    } else if (key === "dataset") {
      Object.assign(el.dataset, value);
    } else if (key in el && !key.includes("-") && key !== "list" && key !== "form") {
      el[key] = value;
    } else {
      el.setAttribute(key, value === true ? "" : value);
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
}

export function clear(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** A labelled control: returns the wrapper; the control is `wrapper.control`. */
export function field(label, control, { hint, errorFor, required } = {}) {
  control.id ||= nextId("f");
  const hintEl = hint ? h("p.hint", { id: nextId("hint") }, hint) : null;
  const errorEl = h("p.field-error", { id: nextId("err"), dataset: { errorFor: errorFor || "" } });
  errorEl.hidden = true;
  const describedby = [hintEl?.id, errorEl.id].filter(Boolean).join(" ");
  control.setAttribute("aria-describedby", describedby);
  const lab = h("label", { for: control.id }, label, required ? h("span.req", { "aria-hidden": "true" }, " *") : null);
  if (required) control.setAttribute("aria-required", "true");
  const wrapper = h("div.form-field", lab, control, hintEl, errorEl);
  wrapper.control = control;
  wrapper.errorEl = errorEl;
  return wrapper;
}

export function checkbox(label, checked, attrs = {}) {
  const input = h("input", { type: "checkbox", checked: !!checked, id: nextId("cb"), ...attrs });
  const wrapper = h("label.check", { for: input.id }, input, " ", label);
  wrapper.box = input;
  return wrapper;
}

export function select(options, value, attrs = {}) {
  const el = h("select", attrs);
  for (const opt of options) {
    const [v, label] = Array.isArray(opt) ? opt : [opt, opt];
    el.append(h("option", { value: v, selected: String(v) === String(value ?? "") }, label));
  }
  return el;
}

/** "First name" → "first_name": a valid slug for names. */
export function slugify(text) {
  let s = String(text).normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
    .replace(/[^a-z0-9]+/g, "_").replace(/^_+|_+$/g, "");
  if (!/^[a-z]/.test(s)) s = s ? "f_" + s : "";
  return s.slice(0, 63);
}

// --- errors ------------------------------------------------------------------------------

/** The words for an error: its message and each detail, as plain text lines. */
export function errorLines(err, labelOf = (f) => f) {
  return readable(err, labelOf);
}

export function errorBox(err, labelOf) {
  const [first, ...rest] = errorLines(err, labelOf);
  return h("div.alert.error", { role: "alert" }, h("p", first),
    rest.length ? h("ul", rest.map((line) => h("li", line))) : null);
}

/**
 * Put an API error on a form: each detail next to the control whose data-error-for matches
 * its field (or a prefix of it); what has no place goes into the form's summary box.
 */
export function showFormErrors(form, err, labelOf) {
  clearFormErrors(form);
  const slots = [...form.querySelectorAll("[data-error-for]")].filter((el) => el.dataset.errorFor);
  const leftovers = [];
  for (const d of err.details || []) {
    const slot = slotFor(slots, String(d.field ?? ""));
    if (!slot) {
      leftovers.push(d);
      continue;
    }
    slot.hidden = false;
    const rest = String(d.field).slice(slot.dataset.errorFor.length + 1);
    const words = rest ? `${rest.replace(/^\d+\./, "")}: ${d.message}` : d.message;
    slot.textContent = [slot.textContent, words].filter(Boolean).join("; ");
    const control = slot.parentElement.querySelector("input, select, textarea");
    control?.setAttribute("aria-invalid", "true");
  }
  const summary = form.querySelector(".form-summary");
  const box = errorBox({ message: err.message, details: leftovers }, labelOf);
  if (summary) clear(summary, box);
  const firstInvalid = form.querySelector("[aria-invalid=true]");
  (firstInvalid || summary)?.focus?.();
}

/** The slot whose data-error-for is the detail's field or its longest prefix ("config.options"). */
function slotFor(slots, name) {
  let best = null;
  for (const s of slots) {
    const key = s.dataset.errorFor;
    if ((name === key || name.startsWith(key + ".")) && (!best || key.length > best.dataset.errorFor.length)) {
      best = s;
    }
  }
  return best;
}

export function clearFormErrors(form) {
  for (const slot of form.querySelectorAll(".field-error")) {
    slot.hidden = true;
    slot.textContent = "";
  }
  for (const el of form.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
  const summary = form.querySelector(".form-summary");
  if (summary) clear(summary);
}

export const formSummary = () => h("div.form-summary", { tabindex: "-1" });

// --- toasts and dialogs -----------------------------------------------------------------------

export function toast(message, { kind = "ok", action, timeout = 5000 } = {}) {
  const region = document.getElementById("toasts");
  while (region.children.length >= 3) region.firstElementChild.remove();
  const box = h(`div.toast.${kind}`, h("span", message));
  if (kind === "error") box.setAttribute("role", "alert");
  if (action) {
    box.append(h("button.link", { type: "button", onclick: () => { box.remove(); action.run(); } },
      action.label));
  }
  box.append(h("button.icon", { type: "button", "aria-label": "Dismiss", onclick: () => box.remove() }, "×"));
  region.append(box);
  setTimeout(() => box.remove(), action ? timeout * 2 : timeout);
}

export function toastError(err, labelOf) {
  toast(errorLines(err, labelOf).join("\n"), { kind: "error", timeout: 12000 });
}

/** A modal <dialog>; body is built by `build(close)`. Resolves with what close() got. */
export function modal(title, build, { wide = false } = {}) {
  return new Promise((resolve) => {
    const titleId = nextId("dlg");
    const dlg = h(`dialog.modal${wide ? ".wide" : ""}`, { "aria-labelledby": titleId });
    const close = (value) => {
      dlg.close();
      dlg.remove();
      resolve(value);
    };
    dlg.addEventListener("cancel", (e) => { e.preventDefault(); close(undefined); });
    const head = h("div.modal-head", h("h2", { id: titleId }, title),
      h("button.icon", { type: "button", "aria-label": "Close", onclick: () => close(undefined) }, "×"));
    dlg.append(head, build(close));
    document.body.append(dlg);
    dlg.showModal();
    const first = dlg.querySelector("[autofocus], input:not([type=hidden]), select, textarea, .modal-body button");
    first?.focus();
  });
}

export function confirmDialog(title, message, { confirmLabel = "Confirm", danger = false } = {}) {
  return modal(title, (close) => h("div.modal-body", h("p", message),
    h("div.actions",
      h("button", { type: "button", onclick: () => close(false) }, "Cancel"),
      h(`button.${danger ? "danger" : "primary"}`, { type: "button", autofocus: true, onclick: () => close(true) },
        confirmLabel))));
}

/** Disable a button while `work` runs; the button shows it is busy. */
export async function busy(button, work) {
  const was = button.disabled;
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  try {
    return await work();
  } finally {
    button.disabled = was;
    button.removeAttribute("aria-busy");
  }
}

// --- formatting -------------------------------------------------------------------------------

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeZone: "UTC" });

export function fmtDateTime(value) {
  if (!value) return "";
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? String(value) : dateTime.format(d);
}

export function fmtDate(value) {
  if (!value) return "";
  const d = new Date(value + "T00:00:00Z");
  return Number.isNaN(d.getTime()) ? String(value) : dateOnly.format(d);
}

/** A list screen's table: a hidden caption, column headings (and an unlabelled actions
 * column when `actions`), and `body` (a <tbody> or its rows). */
export function dataTable(caption, columns, body, { actions = false, className = "" } = {}) {
  return h("div.table-wrap", h(`table.table${className ? "." + className : ""}`,
    h("caption.visually-hidden", caption),
    h("thead", h("tr", columns.map((c) => h("th", { scope: "col" }, c)),
      actions ? h("th", { scope: "col" }, h("span.visually-hidden", "Actions")) : null)),
    body instanceof Node && body.tagName === "TBODY" ? body : h("tbody", body)));
}

export function pageHeader(title, ...actions) {
  return h("div.page-head", h("h1", { tabindex: "-1" }, title), h("div.page-actions", actions));
}

export function emptyState(text, ...actions) {
  return h("div.empty", h("span.empty-mark", pathIcon(EMPTY_MARK, "ico")), h("p", text),
    actions.some(Boolean) ? h("div.empty-actions", actions) : null);
}

const EMPTY_MARK = "M3 7l9-4 9 4v10l-9 4-9-4zM3 7l9 4 9-4M12 11v10";

// --- icons (inline SVG, decorative: the control carries the words) ------------------------------

const ICONS = {
  trash: "M4 7h16M9 7V4h6v3M6 7l1 13h10l1-13M10 11v6M14 11v6",
  open: "M14 4h6v6M20 4l-9 9M18 14v6H4V6h6",
  restore: "M4 12a8 8 0 1 0 3-6.2M4 4v5h5",
  copy: "M8 8h12v12H8zM4 16V4h12",
  up: "M12 19V5M6 11l6-6 6 6",
  down: "M12 5v14M6 13l6 6 6-6",
  close: "M6 6l12 12M18 6L6 18",
};

export function icon(name) {
  return pathIcon(ICONS[name]);
}

/** An inline SVG drawing of one stroked path `d` on a 24×24 grid (decorative). */
export function pathIcon(d, className = "ico") {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("class", className);
  const path = document.createElementNS(ns, "path");
  path.setAttribute("d", d);
  svg.append(path);
  return svg;
}

/** After a screen re-rendered: focus the first of `selectors` found, else its heading. */
export function refocus(view, selectors = []) {
  const target = [selectors, "h1"].flat().map((sel) => view.querySelector(sel)).find(Boolean);
  if (!view.contains(document.activeElement) || document.activeElement === document.body) target?.focus();
}
