import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { compareSteps } from "../model/compare.js";
import { record } from "../model/recording.js";
import { libraryScenario, registry } from "../model/test-support.js";
import { differenceTarget, noDifference, Playback, type Timeline } from "./playback.js";

const TICK = 100;

/** A playback over a mutable timeline, recording what it tells its host. */
function setup(timeline: { reachable: number; length: number; done: boolean } | undefined) {
  const moves: number[] = [];
  let changes = 0;
  const p = new Playback({ timeline: (): Timeline | undefined => timeline, interval: () => TICK, moved: (pos) => moves.push(pos), playingChanged: () => changes++ });
  return { p, moves, changes: () => changes };
}

describe("playback", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("goes to rounded, clamped positions and tells the host only of changes", () => {
    const { p, moves } = setup({ reachable: 4, length: 10, done: false });
    p.go(2.4);
    p.go(2);
    p.go(99);
    p.go(-3);
    expect(moves).toEqual([2, 4, 0]);
    p.end();
    expect(p.position).toBe(4);
  });

  it("does nothing without a run", () => {
    const { p, moves, changes } = setup(undefined);
    p.go(3);
    p.togglePlay();
    expect([moves, changes(), p.playing]).toEqual([[], 0, false]);
  });

  it("stops on the tick that reaches the end, so a jump made right after is not played on from", () => {
    const { p, moves, changes } = setup({ reachable: 3, length: 3, done: true });
    p.togglePlay();
    expect(p.playing).toBe(true);
    vi.advanceTimersByTime(3 * TICK);
    expect(moves).toEqual([1, 2, 3]);
    expect(p.playing).toBe(false);
    expect(changes()).toBe(2);
    p.go(1); // e.g. a step link clicked right after the end was reached
    vi.advanceTimersByTime(5 * TICK);
    expect(p.position).toBe(1);
  });

  it("plays from the start when at the end", () => {
    const { p, moves } = setup({ reachable: 2, length: 2, done: true });
    p.go(2);
    p.togglePlay();
    vi.advanceTimersByTime(2 * TICK);
    expect(moves).toEqual([2, 0, 1, 2]);
    expect(p.playing).toBe(false);
  });

  it("waits for the recording instead of stopping, and stops when it is done", () => {
    const t = { reachable: 1, length: 3, done: false };
    const { p } = setup(t);
    p.togglePlay();
    vi.advanceTimersByTime(3 * TICK);
    expect([p.position, p.playing]).toEqual([1, true]);
    Object.assign(t, { reachable: 3, done: true });
    vi.advanceTimersByTime(TICK);
    expect([p.position, p.playing]).toEqual([2, true]);
    vi.advanceTimersByTime(TICK);
    expect([p.position, p.playing]).toEqual([3, false]);
  });

  it("stops at a failed setup's end when nothing more can be reached", () => {
    const { p } = setup({ reachable: 0, length: 5, done: true });
    p.togglePlay();
    vi.advanceTimersByTime(TICK);
    expect([p.position, p.playing]).toEqual([0, false]);
  });

  it("pauses and resumes", () => {
    const { p } = setup({ reachable: 5, length: 5, done: true });
    p.togglePlay();
    vi.advanceTimersByTime(TICK);
    p.togglePlay();
    vi.advanceTimersByTime(5 * TICK);
    expect([p.position, p.playing]).toEqual([1, false]);
    p.togglePlay();
    vi.advanceTimersByTime(TICK);
    expect(p.position).toBe(2);
    p.stop();
  });
});

describe("next difference", () => {
  const scenario = libraryScenario("rdma-mr-fork");
  const rows = compareSteps([record(scenario, "legacy-get", registry), record(scenario, "pin-bias", registry)]);

  it("finds the steps where rdma-mr-fork's policies differ (3 and 5), in both directions", () => {
    expect(differenceTarget(rows, 0, 1)).toBe(4);
    expect(differenceTarget(rows, 3, 1)).toBe(4);
    expect(differenceTarget(rows, 4, 1)).toBe(6);
    expect(differenceTarget(rows, 6, 1)).toBeUndefined();
    expect(differenceTarget(rows, 10, -1)).toBe(6);
    expect(differenceTarget(rows, 6, -1)).toBe(4);
    expect(differenceTarget(rows, 4, -1)).toBeUndefined();
  });

  it("says why it found nothing", () => {
    expect(noDifference(rows, 1)).toBe("no later difference");
    expect(noDifference(rows, -1)).toBe("no earlier difference");
    expect(noDifference([{ index: 0, differs: false }], 1)).toBe("the columns never differ");
  });
});
