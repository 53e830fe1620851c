// A secret shown once (an API token, a webhook's signing secret, a join link): a read-only box
// that selects itself, a Copy button, and a live line saying whether the copy worked.

import { h, icon, nextId } from "../ui.js";

/** `{input, row, note}`: put `row` and `note` where the secret is shown. */
export function copyBox(value, { label, what = "token", copyLabel = "Copy", id = nextId("secret") }) {
  const input = h("input.mono.secret", { readOnly: true, value, id, "aria-label": label });
  const note = h("span.muted", { "aria-live": "polite" });
  const copy = h("button.copy", { type: "button" }, icon("copy"), ` ${copyLabel}`);
  copy.addEventListener("click", async () => {
    input.select();
    try {
      await navigator.clipboard.writeText(value);
      note.textContent = "Copied to the clipboard.";
    } catch {
      note.textContent = `Press Ctrl+C (⌘C) to copy the selected ${what}.`;
    }
  });
  input.addEventListener("focus", () => input.select());
  return { input, row: h("div.copy-row", input, copy), note };
}
