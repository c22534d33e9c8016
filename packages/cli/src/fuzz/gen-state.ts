/**
 * What the generator knows while it writes a scenario: the processes, the mappings and handles
 * named so far, the names each device bound, and the choices every op shares (an address inside a
 * mapping, a length, data).
 * @module
 */
import { parse } from "yaml";
import { formatSize } from "@pinlab/core";
import type { FuzzRng } from "./fuzz-rng.js";

/** A step as written in a scenario file (before validation). */
export type RawStep = Record<string, unknown>;

/** A scenario as written (the fuzzer's output, the loader's input). */
export interface RawScenario {
  /** Its name. */
  name: string;
  /** Free text: how it was made. */
  description?: string;
  /** The kernel's seed. */
  seed: number;
  /** Options per policy id. */
  policy_options?: Record<string, Record<string, unknown>>;
  /** The machine. */
  machine: Record<string, unknown>;
  /** Files. */
  files: Record<string, unknown>[];
  /** Devices. */
  devices: Record<string, unknown>[];
  /** Processes. */
  processes: (string | Record<string, unknown>)[];
  /** Steps. */
  steps: RawStep[];
}

/**
 * A scenario file's text as a {@link RawScenario}, the optional sections defaulted (a finding the
 * fuzzer wrote, or any library scenario). Validate it with `loadScenario` first: this only parses.
 */
export function parseRawScenario(text: string): RawScenario {
  const parsed = parse(text) as Partial<RawScenario> & Pick<RawScenario, "name" | "machine">;
  return { seed: 1, files: [], devices: [], processes: [], steps: [], ...parsed };
}

/** A mapping the scenario named with `as:`. */
export interface GenMapping {
  /** Its name. */
  readonly name: string;
  /** The process that mapped it. */
  readonly proc: string;
  /** Its length in bytes. */
  readonly length: number;
}

/** 4 KiB. */
export const PAGE = 4096;

const DATA_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789";

/** The generator's running state. */
export class GenState {
  /** Processes, declared and forked (exited ones stay: a step may still name them). */
  readonly procs: string[] = [];
  /** Files by name with their sizes. */
  readonly files = new Map<string, { size: number; fs: string }>();
  /** Mappings named so far. */
  readonly maps: GenMapping[] = [];
  /** gup handles named so far, and whether a step released them. */
  readonly handles: { name: string; released: boolean }[] = [];
  /** Names bound by each device's creating actions. */
  readonly deviceNames = new Map<string, string[]>();
  /** The machine has a swap device (`madvise` then often pages out). */
  swap = false;
  private next = 0;

  /** Make it. */
  constructor(readonly rng: FuzzRng) {}

  /** A fresh name with `prefix`. */
  fresh(prefix: string): string {
    return `${prefix}${this.next++}`;
  }

  /** A mapping (or undefined when none yet). */
  mapping(): GenMapping | undefined {
    return this.maps.length === 0 ? undefined : this.rng.pick(this.maps);
  }

  /** Mostly a mapping's own process; now and then another. */
  procFor(m: GenMapping): string {
    return this.rng.chance(0.92) ? m.proc : this.rng.pick(this.procs);
  }

  /** A range inside `m` (now and then unaligned, or running past its end): the address expression and length in bytes. */
  range(m: GenMapping, maxPages = 64): { addr: string; length: number; pages: number } {
    const total = Math.max(1, Math.floor(m.length / PAGE));
    const first = this.rng.int(0, total - 1);
    let pages = this.rng.chance(0.15) ? total - first : this.rng.int(1, Math.max(1, Math.min(maxPages, total - first)));
    if (this.rng.chance(0.04)) pages += this.rng.int(1, 4);
    let off = first * PAGE;
    if (this.rng.chance(0.04)) off += this.rng.int(1, PAGE - 1);
    return { addr: off === 0 ? m.name : `${m.name}+${formatSize(off)}`, length: pages * PAGE, pages };
  }

  /** A short string of letters and digits (never a NUL: a read-back compares it whole). */
  data(max = 24): string {
    let s = "";
    for (let n = this.rng.int(1, max); n > 0; n--) s += DATA_CHARS[this.rng.int(0, DATA_CHARS.length - 1)];
    return s;
  }
}
