/**
 * Playback over a recorded (or still recording) run, without DOM: the position, going to a
 * position, playing and pausing on a timer, and the search for the next step where the policies
 * differ. Position p = p steps run.
 */

/** What playback moves through (a `Session` is one). */
export interface Timeline {
  /** The last position every column has reached. */
  readonly reachable: number;
  /** Steps in the scenario. */
  readonly length: number;
  /** True when every run is complete. */
  readonly done: boolean;
}

/** What playback asks of its owner. */
export interface PlaybackHost {
  /** The run being shown, if any. */
  timeline(): Timeline | undefined;
  /** Milliseconds between two steps while playing (read when playing starts). */
  interval(): number;
  /** The position changed to `pos` (through {@link Playback.go}): show it. */
  moved(pos: number): void;
  /** Playing started or stopped. */
  playingChanged(): void;
}

/** The position and the play timer. */
export class Playback {
  private pos = 0;
  private timer: ReturnType<typeof setInterval> | undefined;

  /** Playback for `host`. */
  constructor(private readonly host: PlaybackHost) {}

  /** The current position. */
  get position(): number {
    return this.pos;
  }

  /** True while playing. */
  get playing(): boolean {
    return this.timer !== undefined;
  }

  /** Set the position without telling the host (the caller shows it). */
  place(pos: number): void {
    this.pos = pos;
  }

  /** Go to position `pos` (rounded, clamped to what is reachable); tells the host when it changes. */
  go(pos: number): void {
    const t = this.host.timeline();
    if (t === undefined) return;
    const p = Math.max(0, Math.min(Math.round(pos), t.reachable));
    if (p === this.pos) return;
    this.pos = p;
    this.host.moved(p);
  }

  /** Go to the last reachable position. */
  end(): void {
    this.go(this.host.timeline()?.reachable ?? 0);
  }

  /** Start playing (from the start when at the end), or stop. */
  togglePlay(): void {
    if (this.timer !== undefined) return this.stop();
    const t = this.host.timeline();
    if (t === undefined) return;
    if (this.pos >= t.length) this.go(0);
    this.timer = setInterval(() => this.tick(), this.host.interval());
    this.host.playingChanged();
  }

  /** Stop playing (nothing when not playing). */
  stop(): void {
    if (this.timer === undefined) return;
    clearInterval(this.timer);
    this.timer = undefined;
    this.host.playingChanged();
  }

  private tick(): void {
    const t = this.host.timeline();
    if (t === undefined || this.pos >= t.reachable) {
      // Still recording: wait for the next position rather than stop.
      if (t?.done !== false) this.stop();
      return;
    }
    this.go(this.pos + 1);
    // Stop on the tick that reaches the end, not one tick later: a jump made in between (a
    // step link, a key) would otherwise be played on from.
    if (t.done && this.pos >= t.length) this.stop();
  }
}

/** A row of the step comparison, as the difference search sees it. */
export interface DifferenceRow {
  /** The step's index. */
  readonly index: number;
  /** True when the policies disagree on the step. */
  readonly differs: boolean;
}

/**
 * The position showing the next (`dir` 1) or previous (-1) step where the policies differ, seen
 * from position `pos`, or undefined when there is none.
 */
export function differenceTarget(rows: readonly DifferenceRow[], pos: number, dir: 1 | -1): number | undefined {
  // Position p shows step p-1; the next difference after it is a step >= p.
  const found = dir === 1 ? rows.find((r) => r.differs && r.index >= pos) : [...rows].reverse().find((r) => r.differs && r.index < pos - 1);
  return found === undefined ? undefined : found.index + 1;
}

/** What to say when {@link differenceTarget} finds nothing in direction `dir`. */
export function noDifference(rows: readonly DifferenceRow[], dir: 1 | -1): string {
  if (dir === -1) return "no earlier difference";
  return rows.some((r) => r.differs) ? "no later difference" : "the columns never differ";
}
