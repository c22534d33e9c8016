/**
 * (issue 21) The order of each concurrent block as a strip of its steps, one chip per step
 * labelled with its thread (`wb 1/2`), the step just run highlighted and the next one outlined;
 * a nested step says where it runs. Click a chip to go to the position right after that step.
 */
import { nestedLabel, threadLabel, type OrderStrip } from "../model/step-threads.js";
import { h, replace } from "./dom.js";

/** The strips (hidden when the scenario has no concurrent block). */
export class OrderStripView {
  /** The element to place. */
  readonly element: HTMLElement;

  /** Make the view; `go(pos)` moves to a position. */
  constructor(private readonly go: (pos: number) => void) {
    this.element = h("div", { class: "order-strips", attrs: { "aria-label": "order of each concurrent block" } });
    this.element.hidden = true;
  }

  /** Show `strips` (`summaries[i]` describes step i). */
  update(strips: readonly OrderStrip[], summaries: readonly string[]): void {
    this.element.hidden = strips.length === 0;
    replace(this.element, ...strips.map((s) =>
      h("div", { class: "order-strip", attrs: { "data-block": s.block } },
        h("span", { class: "muted" }, strips.length > 1 ? `block ${s.block + 1} order: ` : "order: "),
        ...s.items.map((x) => {
          const nested = nestedLabel(x.thread);
          return h("button", {
            class: `os-step os-${x.state}${nested !== undefined ? " os-nested" : ""}`,
            title: `step ${x.step}: ${summaries[x.step] ?? ""}${nested !== undefined ? ` (${nested})` : ""}`,
            attrs: { type: "button", "data-step": x.step, "data-thread": x.thread.thread, "data-state": x.state, "aria-current": x.state === "current" ? "step" : undefined },
            on: { click: () => this.go(x.step + 1) },
          }, threadLabel(x.thread), nested !== undefined ? h("span", { class: "os-at" }, ` ↳ ${x.thread.nested?.point ?? ""}`) : null);
        }))));
  }
}
