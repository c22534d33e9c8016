/**
 * `pinlab fuzz`'s generator: a random valid scenario from a seed and the registries. Tiny and
 * small machines (so allocation failure and migration paths run), some with swap (so
 * `madvise pageout` and `reclaim` swap anonymous pages out), files of every filesystem,
 * every registered device kind with random options, a few processes, then steps of every op
 * drawn by weight ({@link OP_WEIGHTS}). Deterministic: the same seed and targets give the same
 * scenario, whatever ran before.
 * @module
 */
import { formatSize, FAULT_POINTS, FS_TYPES, PINNED_WRITEBACK_ACTIONS } from "@pinlab/core";
import { FuzzRng } from "./fuzz-rng.js";
import { DIFFERENTIAL_PAIR } from "./classify.js";
import { deviceOptions, optionValues } from "./gen-device.js";
import { GenState, PAGE, type RawScenario, type RawStep } from "./gen-state.js";
import { stepOf } from "./gen-steps.js";
import type { FuzzDevice, FuzzTargets } from "./targets.js";

/** How often each op is drawn (relative weights). */
export const OP_WEIGHTS: Readonly<Record<string, number>> = {
  mmap: 9, munmap: 3, mprotect: 3, madvise: 4, touch: 8, write: 8, read: 3, fork: 3, exit: 1, ftruncate: 3, punch_hole: 2,
  writeback: 4, reclaim: 2, lease: 2, compact: 3, migrate: 3, cma_alloc: 1, gup: 14, release: 8, peek: 3, poke: 3, device: 14,
  advance: 3, settle: 2, khugepaged: 1, split: 1, mremap: 3,
};

/** Options of {@link generateScenario}. */
export interface GenerateOptions {
  /** Most body steps (default 120). */
  readonly maxSteps?: number;
  /** Kernel era, written as `machine.kernel` (`pinlab fuzz --kernel`); absent: each policy's own era. */
  readonly kernel?: string;
}

const MiB = 1024 * 1024;

function machine(g: GenState, fsdax: boolean): Record<string, unknown> {
  const r = g.rng;
  const m: Record<string, unknown> = { memory: `${r.pick([2, 4, 4, 8, 8, 16, 64])}MiB` };
  if (r.chance(0.4)) m.movable = `${r.pick([1, 2, 4, 8])}MiB`;
  if (r.chance(0.3)) m.cma = `${r.pick([1, 2, 4])}MiB`;
  if (fsdax || r.chance(0.1)) m.pmem = `${r.pick([2, 4, 8])}MiB`;
  if (r.chance(0.3)) m.memlock = formatSize(r.pick([16 * 1024, 64 * 1024, MiB, 8 * MiB]));
  if (r.chance(0.3)) m.writeback_latency = r.pick(["0ns", "10us", "100us", "1ms"]);
  if (r.chance(0.3)) m.pinned_writeback = r.pick(PINNED_WRITEBACK_ACTIONS);
  if (r.chance(0.3)) m.faults = faults(g);
  if (r.chance(0.3)) {
    const sizes = ["16KiB", "32KiB", "64KiB", "256KiB", "2MiB"].filter(() => r.chance(0.5));
    m.thp = { enabled: r.pick(["always", "madvise", "never"]), ...(sizes.length > 0 ? { sizes } : {}) };
  }
  // A swap device now and then, from mkswap's least (9 slots: reclaim fills it) up (format 2.0).
  if (r.chance(0.3)) m.swap = r.pick(["40KiB", "256KiB", "1MiB", "8MiB"]);
  g.swap = m.swap !== undefined;
  return m;
}

/** Injected failures (guide 5, "Injecting faults") at one or more points, in each of the three forms. */
function faults(g: GenState): Record<string, unknown> {
  const r = g.rng;
  const out: Record<string, unknown> = {};
  for (const point of FAULT_POINTS) {
    if (!r.chance(point === "alloc" ? 0.6 : 0.35)) continue;
    const form = r.pick(["every", "at", "probability"] as const);
    const spec: Record<string, unknown> =
      form === "every" ? { every: r.int(1, 12) } : form === "at" ? { at: [...new Set([r.int(1, 8), r.int(1, 40)])].sort((a, b) => a - b) } : { probability: r.pick([0.01, 0.05, 0.2, 1]) };
    if (r.chance(0.3)) spec.times = r.int(1, 4);
    out[point] = spec;
  }
  if (Object.keys(out).length === 0) out.alloc = { every: r.int(2, 9) };
  return out;
}

function files(g: GenState): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (let i = g.rng.int(0, 3); i > 0; i--) {
    const fs = g.rng.pick(FS_TYPES);
    const name = g.fresh("f");
    const size = fs === "hugetlbfs" ? g.rng.pick([2, 4]) * MiB : g.rng.pick([0, PAGE, 4 * PAGE, 16 * PAGE, 100_000, MiB, 2 * MiB]);
    g.files.set(name, { size, fs });
    out.push({ name, fs, size: formatSize(size), ...(g.rng.chance(0.15) ? { pinned_writeback: g.rng.pick(PINNED_WRITEBACK_ACTIONS) } : {}) });
  }
  return out;
}

/**
 * Options for some policies (the debate's open points: vaddr-pin's lease rules, legacy-get's
 * FS-DAX behaviour, a bias). The differential pair keeps its defaults: both must apply v6.12.
 */
function policyOptions(g: GenState, targets: FuzzTargets): Record<string, Record<string, unknown>> | undefined {
  const out: Record<string, Record<string, unknown>> = {};
  for (const [id, fields] of targets.policyOptions) {
    if ((DIFFERENTIAL_PAIR as readonly string[]).includes(id) || fields.length === 0 || !g.rng.chance(0.35)) continue;
    const opts = optionValues(g, fields);
    if (Object.keys(opts).length > 0) out[id] = opts;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** A scenario from `seed` over `targets` (its name says the seed: `fuzz-<seed>`). */
export function generateScenario(seed: number, targets: FuzzTargets, opts: GenerateOptions = {}): RawScenario {
  const g = new GenState(new FuzzRng(seed));
  const fileList = files(g);
  const mach = machine(g, fileList.some((f) => f.fs === "fsdax"));
  const devices: { name: string; device: FuzzDevice }[] = [];
  if (targets.devices.length > 0) {
    for (let i = g.rng.int(0, 3); i > 0; i--) devices.push({ name: g.fresh("d"), device: g.rng.pick(targets.devices) });
  }
  const processes: (string | Record<string, unknown>)[] = [];
  for (let i = g.rng.int(1, 3); i > 0; i--) {
    const name = g.fresh("p");
    g.procs.push(name);
    processes.push(g.rng.chance(0.2) ? { name, memlock: formatSize(g.rng.pick([PAGE, 64 * 1024, MiB])) } : name);
  }
  const options = policyOptions(g, targets);
  const steps: RawStep[] = [];
  const want = g.rng.int(5, Math.max(5, opts.maxSteps ?? 120));
  const weights = devices.length > 0 ? OP_WEIGHTS : { ...OP_WEIGHTS, device: 0 };
  while (steps.length < want) {
    const s = stepOf(g, g.rng.weighted(weights), devices) ?? stepOf(g, "mmap", devices)!;
    steps.push(...s);
  }
  return {
    name: `fuzz-${seed}`,
    description: `generated by pinlab fuzz from seed ${seed}`,
    seed: seed % 1_000_000,
    ...(options !== undefined ? { policy_options: options } : {}),
    // Last, after every draw: the era changes no other part of the scenario a seed generates.
    machine: opts.kernel !== undefined ? { ...mach, kernel: opts.kernel } : mach,
    files: fileList,
    devices: devices.map((d) => ({ name: d.name, kind: d.device.kind, options: deviceOptions(g, d.device) })),
    processes,
    steps,
  };
}
