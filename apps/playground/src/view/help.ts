/** The keyboard help overlay (a modal dialog). */
import { h } from "./dom.js";

/** Shortcuts, as shown. */
export const SHORTCUTS: ReadonlyArray<readonly [string, string]> = [
  ["→ / ←", "step forward / back"],
  ["Home / End", "go to the start / the end"],
  ["Space", "play / pause"],
  ["Shift+→ / Shift+←", "next / previous step where the columns differ"],
  ["Ctrl+Enter (in the editor)", "run the scenario now"],
  ["Esc (in the editor), then Tab", "leave the editor"],
  ["arrow keys (grid focused)", "move the selected frame"],
  ["?", "this help"],
];

/** Make the help dialog. */
export function helpDialog(): HTMLDialogElement {
  const close = h("button", { attrs: { type: "button" }, on: { click: () => dialog.close() } }, "Close");
  const dialog = h("dialog", { class: "help", attrs: { "aria-labelledby": "help-title" } },
    h("h2", { id: "help-title" }, "Keyboard shortcuts"),
    h("table", {}, h("tbody", {}, ...SHORTCUTS.map(([k, v]) => h("tr", {}, h("th", { attrs: { scope: "row" } }, h("kbd", {}, k)), h("td", {}, v))))),
    h("p", {}, "Pick a library scenario or edit the YAML; the run under every checked policy is recorded from the seed, so any step can be reached in either direction. Kernel picks the era every column runs (policy default: each policy's own era, or the scenario's machine.kernel); Compare: kernels runs one policy at each checked era, a column each. Cells are page frames (legend under the grids), lanes show each process's VMAs page by page with the frame each page maps, and each device's frames. Click a cell, a page, or a frame link to compare that frame across policies."),
    close);
  return dialog;
}
