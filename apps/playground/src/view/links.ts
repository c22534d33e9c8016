/** Buttons that jump to a step or select a frame, used by the hazard list and the event log. */
import { h } from "./dom.js";

/** Where links lead. */
export interface LinkTargets {
  /** Go to position `pos`. */
  go(pos: number): void;
  /** Select frame `pfn`. */
  select(pfn: number): void;
}

/** A link to the position right after step `step` (step -1 = set up, position 0). */
export function stepLink(t: LinkTargets, step: number): HTMLButtonElement {
  return h("button", { class: "link", attrs: { type: "button", "data-step-link": step }, title: "go to this step", on: { click: () => t.go(step + 1) } }, step < 0 ? "setup" : `step ${step}`);
}

/** A link selecting frame `pfn`. */
export function frameLink(t: LinkTargets, pfn: number): HTMLButtonElement {
  return h("button", { class: "link", attrs: { type: "button", "data-frame-link": pfn }, title: "select this frame in the grids", on: { click: () => t.select(pfn) } }, `frame ${pfn}`);
}
