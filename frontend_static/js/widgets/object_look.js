// An object's look: its icon (a name from the small built-in set below, stored in the object's
// `icon`) and its colour (derived from its id, so it never changes and needs no column).

import { h, nextId, pathIcon } from "../ui.js";

/** The built-in icons: name → one stroked path on a 24×24 grid (no emoji font needed). The
 * names are Lucide/Feather names, as the templates use them; another name shows the initial. */
export const OBJECT_ICONS = {
  building: "M4 21V5l8-3 8 3v16M3 21h18M9 8h1M14 8h1M9 12h1M14 12h1M10 21v-4h4v4",
  user: "M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8zM4 21a8 8 0 0 1 16 0",
  users: "M9 11a3.5 3.5 0 1 0 0-7 3.5 3.5 0 0 0 0 7zM2 20a7 7 0 0 1 14 0M16 4.5a3.5 3.5 0 0 1 0 6.5M18 14a6 6 0 0 1 4 6",
  briefcase: "M3 8h18v12H3zM8 8V5h8v3M3 13h18",
  "dollar-sign": "M12 2v20M17 6H9.5a3.5 3.5 0 0 0 0 7h5a3.5 3.5 0 0 1 0 7H6",
  package: "M3 7l9-4 9 4v10l-9 4-9-4zM3 7l9 4 9-4M12 11v10",
  "shopping-cart": "M3 4h2l2.5 11h11L21 7H6.2M9 20h.01M17 20h.01",
  calendar: "M4 5h16v16H4zM4 10h16M8 3v4M16 3v4",
  "file-text": "M6 3h9l4 4v14H6zM14 3v5h5M9 13h7M9 17h7",
  folder: "M3 6h6l2 2h10v11H3z",
  tag: "M3 3h8l10 10-8 8L3 11zM7.5 7.5h.01",
  star: "M12 3l2.8 5.7 6.2.9-4.5 4.4 1.1 6.2L12 17.3 6.4 20.2l1.1-6.2L3 9.6l6.2-.9z",
  target: "M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18zM12 16a4 4 0 1 0 0-8 4 4 0 0 0 0 8zM12 12h.01",
  "bar-chart": "M4 20V4M4 20h16M8 16v-5M12 16V8M16 16v-3",
  phone: "M5 4h4l2 5-2.5 1.5a11 11 0 0 0 5 5L15 13l5 2v4a2 2 0 0 1-2 2A16 16 0 0 1 3 6a2 2 0 0 1 2-2",
  mail: "M3 5h18v14H3zM3 6l9 7 9-7",
  truck: "M2 6h12v10H2zM14 10h4l3 3v3h-7M6 19a2 2 0 1 0 0-4 2 2 0 0 0 0 4zM17 19a2 2 0 1 0 0-4 2 2 0 0 0 0 4z",
  home: "M3 11l9-8 9 8M5 9v12h14V9M10 21v-6h4v6",
  globe: "M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18zM3 12h18M12 3a14 14 0 0 1 0 18M12 3a14 14 0 0 0 0 18",
  lightbulb: "M9 18h6M10 21h4M12 3a6 6 0 0 0-4 10.5c.7.7 1 1.5 1 2.5h6c0-1 .3-1.8 1-2.5A6 6 0 0 0 12 3z",
  heart: "M12 20s-8-5-8-11a4.5 4.5 0 0 1 8-2.5A4.5 4.5 0 0 1 20 9c0 6-8 11-8 11z",
  ticket: "M3 7h18v3a2 2 0 0 0 0 4v3H3v-3a2 2 0 0 0 0-4zM14 7v10",
  flag: "M5 21V4M5 4h11l-2 4 2 4H5",
  check: "M4 12l5 5L20 6",
  filter: "M3 4h18l-7 8v6l-4 2v-8z",
  columns: "M4 4h4v16H4zM10 4h4v10h-4zM16 4h4v13h-4z",
  layers: "M12 2l10 5-10 5L2 7zM2 12l10 5 10-5M2 17l10 5 10-5",
  list: "M8 6h13M8 12h13M8 18h13M3 6h.01M3 12h.01M3 18h.01",
};

const HUES = ["#4f46e5", "#0284c7", "#059669", "#d97706", "#dc2626", "#db2777", "#7c3aed", "#0d9488"];

/** The object's colour: one of HUES, picked by a hash of its id (stable across renames). */
export function objectHue(obj) {
  let hash = 0;
  for (const ch of String(obj.id || obj.name)) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  return HUES[hash % HUES.length];
}

/** The object's badge: its icon (or its initial) on its colour; decorative beside its name. */
export function objectBadge(obj, size = "") {
  const badge = h(`span.obj-badge${size ? "." + size : ""}`, { "aria-hidden": "true" });
  badge.style.setProperty("--hue", objectHue(obj));
  const d = OBJECT_ICONS[obj.icon];
  badge.append(d ? pathIcon(d, "obj-ico") : (obj.label || obj.name || "?").trim().charAt(0).toUpperCase());
  return badge;
}

/** "shopping-cart" → "Shopping cart": an icon's name in words. */
const iconLabel = (name) => name.charAt(0).toUpperCase() + name.slice(1).replaceAll("-", " ");

/** Radio buttons for the object dialog: "no icon" (the initial) or one of the built-in icons. */
export function iconPicker(current, hue) {
  const name = nextId("icon");
  const choice = (value, label, drawing) => {
    const input = h("input", { type: "radio", name, value, checked: value === (current || "") });
    return h("label.icon-choice", { title: label }, input, drawing, h("span.visually-hidden", label));
  };
  // An icon name the admin does not draw (set through the API) stays chosen, not erased on save.
  const foreign = current && !OBJECT_ICONS[current]
    ? choice(current, `${current} (not drawn here)`, h("span.icon-initial", { "aria-hidden": "true" }, "?")) : null;
  const group = h("fieldset.icon-picker", h("legend", "Icon"),
    choice("", "Initial letter", h("span.icon-initial", { "aria-hidden": "true" }, "A")), foreign,
    Object.entries(OBJECT_ICONS).map(([value, d]) => choice(value, iconLabel(value), pathIcon(d, "obj-ico"))));
  if (hue) group.style.setProperty("--hue", hue);
  Object.defineProperty(group, "value", { get: () => group.querySelector("input:checked")?.value || "" });
  return group;
}

/** A page header (ui.pageHeader) with the object's badge before its heading. */
export function withBadge(obj, header) {
  const heading = header.querySelector("h1");
  const title = h("div.title-with-badge", objectBadge(obj, "lg"));
  heading.replaceWith(title);
  title.append(heading);
  return header;
}
