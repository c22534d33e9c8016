/**
 * The kernel's global pin counters (issue 20): `nr_foll_pin_acquired` and `nr_foll_pin_released`
 * in `/proc/vmstat` (mm/vmstat.c vmstat_text; counted by mm/gup.c try_grab_folio and
 * gup_put_folio). The counters are per-CPU and folded lazily: as root, writing `1` to
 * `/proc/sys/vm/stat_refresh` (mm/vmstat.c vmstat_refresh) folds them first, which makes deltas
 * exact; without it they lag by up to a second. They are global, so a delta counts every process's
 * pins: host steps run one at a time. Unpinning may be asynchronous (an io_uring ring's buffers are
 * released by a work item after close or exit): {@link pollPinDelta} waits for it.
 * @module
 */
import { readFileSync, writeFileSync } from "node:fs";

/** The two pin counters at one moment. */
export interface PinCounters {
  /** `nr_foll_pin_acquired`. */
  acquired: number;
  /** `nr_foll_pin_released`. */
  released: number;
  /** True when `/proc/sys/vm/stat_refresh` was written first (root only), so the values are exact. */
  refreshed: boolean;
}

/** The change of the pin counters between two readings. */
export interface PinDelta {
  /** Pins taken. */
  acquired: number;
  /** Pins dropped. */
  released: number;
}

/** Parse `/proc/vmstat` text into name -> value. */
export function parseVmstat(text: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of text.split("\n")) {
    const m = /^(\w+) (-?\d+)$/.exec(line.trim());
    if (m !== null) values.set(m[1]!, Number(m[2]));
  }
  return values;
}

/** Fold the per-CPU counters (root only); returns false when not allowed. */
export function refreshVmstat(): boolean {
  try {
    writeFileSync("/proc/sys/vm/stat_refresh", "1");
    return true;
  } catch {
    return false;
  }
}

/** `/proc/vmstat` as name -> value, after folding the per-CPU counters when allowed (root). */
export function readVmstat(): Map<string, number> {
  refreshVmstat();
  return parseVmstat(readFileSync("/proc/vmstat", "utf8"));
}

/** Read the pin counters, refreshing first when possible; throws when the kernel has none. */
export function readPinCounters(): PinCounters {
  const refreshed = refreshVmstat();
  const values = parseVmstat(readFileSync("/proc/vmstat", "utf8"));
  const acquired = values.get("nr_foll_pin_acquired");
  const released = values.get("nr_foll_pin_released");
  if (acquired === undefined || released === undefined) throw new Error("/proc/vmstat has no nr_foll_pin_acquired / nr_foll_pin_released");
  return { acquired, released, refreshed };
}

/** `after - before`. */
export function pinDelta(before: PinCounters, after: PinCounters): PinDelta {
  return { acquired: after.acquired - before.acquired, released: after.released - before.released };
}

/** Options of {@link pollPinDelta}. */
export interface PollOptions {
  /** Give up after this many milliseconds (default 2000). */
  timeoutMs?: number;
  /** Milliseconds between readings (default 20). */
  intervalMs?: number;
  /** The counter reader (default {@link readPinCounters}); tests pass a fake. */
  read?: () => PinCounters;
}

/**
 * Read the counters until the delta since `before` satisfies `done` (an asynchronous unpin has
 * landed) or the time runs out; returns the last delta either way, and whether `done` held.
 */
export async function pollPinDelta(before: PinCounters, done: (delta: PinDelta) => boolean, options: PollOptions = {}): Promise<{ delta: PinDelta; settled: boolean }> {
  const read = options.read ?? readPinCounters;
  const deadline = Date.now() + (options.timeoutMs ?? 2000);
  for (;;) {
    const delta = pinDelta(before, read());
    if (done(delta)) return { delta, settled: true };
    if (Date.now() >= deadline) return { delta, settled: false };
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 20));
  }
}
