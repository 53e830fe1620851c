// Light, dark or the system's choice: css/app.css follows the system through color-scheme;
// a choice made in the top bar pins it (html[data-theme]) and is kept in this browser, where
// js/theme_boot.js applies it again before the next page load is drawn.

import { h } from "./ui.js";

const KEY = "objectry.theme";
const CHOICES = [["system", "System theme"], ["light", "Light theme"], ["dark", "Dark theme"]];

function stored() {
  try {
    const value = localStorage.getItem(KEY);
    return CHOICES.some(([v]) => v === value) ? value : "system";
  } catch {
    return "system"; // storage refused (private mode): follow the system
  }
}

function apply(choice) {
  if (choice === "system") document.documentElement.removeAttribute("data-theme");
  else document.documentElement.dataset.theme = choice;
}

/** The top bar's theme select, showing the stored choice. */
export function themePicker() {
  const picker = h("select.theme-picker", { "aria-label": "Colour theme" },
    CHOICES.map(([value, label]) => h("option", { value, selected: value === stored() }, label)));
  picker.addEventListener("change", () => {
    try {
      localStorage.setItem(KEY, picker.value);
    } catch {
      // not kept, but applied for this page
    }
    apply(picker.value);
  });
  return picker;
}
