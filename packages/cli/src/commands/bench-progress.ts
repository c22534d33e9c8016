/**
 * The bench's progress bar: cells done, elapsed, ETA; on a terminal only, quiet otherwise.
 * @module
 */
import { Presets, SingleBar } from "cli-progress";
import type { BenchProgress } from "@pinlab/bench";
import type { CliIo } from "../io.js";

/** A progress reporter: `update` after each cell, `stop` at the end. */
export interface ProgressReporter {
  /** A cell finished. */
  update(p: BenchProgress): void;
  /** The run ended (success or not). */
  stop(): void;
}

/** A bar on stderr when stdout and stderr are terminals; a reporter that prints nothing otherwise. */
export function progressReporter(io: CliIo, total: number, label = "cells"): ProgressReporter {
  if (!io.isTTY || process.stderr.isTTY !== true || total === 0) return { update: () => undefined, stop: () => undefined };
  const bar = new SingleBar({
    stream: process.stderr,
    format: `${label} {bar} {value}/{total} | elapsed {duration_formatted} | ETA {eta_formatted} | {cell}`,
    hideCursor: true,
    clearOnComplete: true,
    etaBuffer: 8,
    fps: 5,
  }, Presets.shades_classic);
  bar.start(total, 0, { cell: "" });
  return {
    update: (p) => bar.update(p.done, { cell: p.cell.id }),
    stop: () => bar.stop(),
  };
}
