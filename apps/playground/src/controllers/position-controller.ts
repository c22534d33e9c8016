/**
 * The position in the run: the stepper bar, the play-speed choice and the keyboard shortcuts,
 * over a {@link Playback}.
 */
import type { Session } from "../model/session.js";
import { h } from "../view/dom.js";
import { orderStrips, threadText } from "../model/step-threads.js";
import { Stepper, type StepLine } from "../view/stepper.js";
import { KeyboardController } from "./keyboard.js";
import { differenceTarget, noDifference, Playback } from "./playback.js";

const PLAY_SPEEDS = [["slow", 1200], ["normal", 600], ["fast", 200]] as const;

/** What the position controller asks of the app. */
export interface PositionHost {
  /** The session being shown, if any. */
  session(): Session | undefined;
  /** The position changed: show it everywhere. */
  moved(): void;
  /** Say something in the status line. */
  say(msg: string): void;
}

/** Owns the position, playing, the stepper, the speed choice and the shortcuts. */
export class PositionController {
  /** The stepper bar (place it on the stage). */
  readonly stepper: Stepper;
  /** The play-speed choice (place it in the top bar; its id is `play-speed`). */
  readonly speed: HTMLSelectElement;
  /** The shortcuts and their help. */
  readonly keyboard: KeyboardController;
  private readonly playback: Playback;

  /** Make the pieces; shortcuts are live at once. */
  constructor(private readonly host: PositionHost) {
    this.speed = h("select", { id: "play-speed", attrs: { "aria-label": "play speed" } }, ...PLAY_SPEEDS.map(([n, ms]) => h("option", { attrs: { value: ms, selected: n === "normal" } }, n)));
    this.playback = new Playback({
      timeline: () => host.session(),
      interval: () => Number(this.speed.value),
      moved: () => host.moved(),
      playingChanged: () => this.render(),
    });
    this.stepper = new Stepper({ go: (p) => this.go(p), togglePlay: () => this.playback.togglePlay(), nextDifference: (d) => this.nextDifference(d) });
    this.keyboard = new KeyboardController({
      step: (by) => this.go(this.playback.position + by),
      nextDifference: (d) => this.nextDifference(d),
      start: () => this.go(0),
      end: () => this.playback.end(),
      togglePlay: () => this.playback.togglePlay(),
    });
  }

  /** The current position. */
  get position(): number {
    return this.playback.position;
  }

  /** Go to position `pos` (clamped). */
  go(pos: number): void {
    this.playback.go(pos);
  }

  /** Set the position without showing it (the caller shows it). */
  place(pos: number): void {
    this.playback.place(pos);
  }

  /** Stop playing. */
  stop(): void {
    this.playback.stop();
  }

  /** Go to the next (1) or previous (-1) step where the columns differ, or say there is none. */
  nextDifference(dir: 1 | -1): void {
    const s = this.host.session();
    if (s === undefined) return;
    const rows = s.view.comparison;
    const target = differenceTarget(rows, this.playback.position, dir);
    if (target !== undefined) this.go(target);
    else this.host.say(noDifference(rows, dir));
  }

  /** Show the position, the steps around it and whether playing, on the stepper. */
  render(): void {
    const s = this.host.session();
    if (s === undefined) return;
    const pos = this.playback.position;
    const line = (i: number): StepLine => {
      const thread = threadText(s.threads[i]);
      return { summary: `#${i} ${s.summaries[i]}`, ...(thread !== undefined ? { thread } : {}) };
    };
    const last = pos > 0 ? line(pos - 1) : undefined;
    const next = pos < s.length ? line(pos) : undefined;
    this.stepper.update(pos, s.length, last, next, pos > 0 ? s.scenario.steps[pos - 1].note : undefined, this.playback.playing);
    this.stepper.showOrder(orderStrips(s.threads, pos), s.summaries);
  }
}
