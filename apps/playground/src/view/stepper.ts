/**
 * The stepper: go to the start, back, play/pause, forward, to the end, a slider over positions,
 * and what the last and the next step are. Position p = p steps run. (issue 21) A step of a
 * concurrent block is labelled with its thread (`[wb 1/2]`), and the blocks' orders are shown as
 * strips under the bar.
 */
import type { OrderStrip } from "../model/step-threads.js";
import { h, replace } from "./dom.js";
import { OrderStripView } from "./order-strip.js";

/** What the stepper asks the app to do. */
export interface StepperEvents {
  /** Go to position `pos` (clamped by the app). */
  go(pos: number): void;
  /** Start or stop playing. */
  togglePlay(): void;
  /** Go to the next (+1) or previous (-1) step where the columns differ. */
  nextDifference(dir: 1 | -1): void;
}

/** The stepper bar. */
export class Stepper {
  /** The element to place. */
  readonly element: HTMLElement;
  private readonly slider: HTMLInputElement;
  private readonly play: HTMLButtonElement;
  private readonly where: HTMLElement;
  private readonly lastStep: HTMLElement;
  private readonly note: HTMLElement;
  private readonly strips: OrderStripView;
  private pos = 0;
  private max = 0;

  /** Make the bar. */
  constructor(private readonly events: StepperEvents) {
    const button = (label: string, text: string, key: string, fn: () => void) =>
      h("button", { class: "icon", title: `${label} (${key})`, attrs: { type: "button", "aria-label": label, "aria-keyshortcuts": key }, on: { click: fn } }, text);
    this.play = button("Play", "Play", "Space", () => this.events.togglePlay());
    this.play.classList.add("play");
    this.slider = h("input", {
      class: "slider",
      attrs: { type: "range", min: 0, max: 0, value: 0, step: 1, "aria-label": "position (steps run)" },
      on: { input: () => this.events.go(Number(this.slider.value)) },
    });
    this.where = h("span", { class: "where", attrs: { "aria-live": "polite" } });
    this.lastStep = h("span", { class: "last-step" });
    this.note = h("div", { class: "step-note" });
    this.strips = new OrderStripView((p) => this.events.go(p));
    this.element = h("div", { class: "stepper", attrs: { role: "toolbar", "aria-label": "stepper" } },
      h("div", { class: "stepper-row" },
        button("Go to start", "|◀", "Home", () => this.events.go(0)),
        button("Step back", "◀", "ArrowLeft", () => this.events.go(this.pos - 1)),
        this.play,
        button("Step forward", "▶", "ArrowRight", () => this.events.go(this.pos + 1)),
        button("Go to end", "▶|", "End", () => this.events.go(this.max)),
        this.slider, this.where,
        button("Previous difference", "◀ diff", "Shift+ArrowLeft", () => this.events.nextDifference(-1)),
        button("Next difference", "diff ▶", "Shift+ArrowRight", () => this.events.nextDifference(1))),
      h("div", { class: "stepper-row" }, this.lastStep),
      this.strips.element,
      this.note);
  }

  /** Show position `pos` of `max`, the step just run and the next one (summaries), and the last step's note. */
  update(pos: number, max: number, last: StepLine | undefined, next: StepLine | undefined, note: string | undefined, playing: boolean): void {
    this.pos = pos;
    this.max = max;
    this.slider.max = String(max);
    this.slider.value = String(pos);
    this.where.textContent = `${pos} / ${max} steps run`;
    replace(this.lastStep,
      h("span", { class: "muted" }, "last: "), stepLine(last, "last-thread") ?? "— (nothing run yet)",
      h("span", { class: "muted sep" }, "  next: "), stepLine(next, "next-thread") ?? "— (end)");
    this.note.textContent = note === undefined ? "" : `note: ${note}`;
    this.note.hidden = note === undefined;
    this.play.textContent = playing ? "Pause" : "Play";
    this.play.setAttribute("aria-label", playing ? "Pause" : "Play");
    this.play.title = `${playing ? "Pause" : "Play"} (Space)`;
    this.play.setAttribute("aria-pressed", String(playing));
  }

  /** (issue 21) Show the concurrent blocks' orders (`summaries[i]` describes step i). */
  showOrder(strips: readonly OrderStrip[], summaries: readonly string[]): void {
    this.strips.update(strips, summaries);
  }
}

/** A step as the stepper names it: its summary, and its thread when it is in a concurrent block. */
export interface StepLine {
  /** `#5 writeback file=data`. */
  readonly summary: string;
  /** `wb 1/2`, or `wb 2/2, inside step 5 at gup_fast.read`. */
  readonly thread?: string;
}

function stepLine(s: StepLine | undefined, cls: string): HTMLElement | undefined {
  if (s === undefined) return undefined;
  return h("span", {}, s.thread !== undefined ? h("span", { class: `thread-tag ${cls}` }, `[${s.thread}] `) : null, s.summary);
}
