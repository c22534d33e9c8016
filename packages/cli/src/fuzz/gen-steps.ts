/**
 * One generator per op of the scenario format: each writes a step that loads (names defined
 * before use, fields of the right shape) and is mostly meaningful (an address inside a mapping,
 * a handle that was taken), with a share of edge cases the kernel must refuse: unaligned and
 * out-of-range addresses, FOLL_* combinations a caller may not pass, exited processes.
 * @module
 */
import { formatSize, COMPACT_ZONES, FOLL_FLAGS, GUP_CALLS, LEASE_TYPES, MADVICE, PROT_BITS } from "@pinlab/core";
import { PAGE, type GenState, type RawStep } from "./gen-state.js";
import { deviceStep } from "./gen-device.js";
import type { FuzzDevice } from "./targets.js";

/** How likely each FOLL_* flag is in a generated `gup` (the rest: 1%); internal flags make EINVAL. */
const FOLL_ODDS: Readonly<Record<string, number>> = {
  FOLL_WRITE: 0.5, FOLL_LONGTERM: 0.3, FOLL_FORCE: 0.1, FOLL_NOFAULT: 0.05, FOLL_NOWAIT: 0.05, FOLL_ANON: 0.04,
  FOLL_SPLIT_PMD: 0.04, FOLL_PIN: 0.02, FOLL_GET: 0.03, FOLL_TOUCH: 0.02, FOLL_REMOTE: 0.02, FOLL_FAST_ONLY: 0.02,
};

function prot(g: GenState): string[] {
  return PROT_BITS.filter((p) => g.rng.chance(p === "read" ? 0.9 : p === "write" ? 0.7 : 0.08));
}

/** `mmap`: anonymous, file-backed or pfnmap; now and then huge, populated, dontcopy, placed ({@link placement}). */
export function mmapStep(g: GenState): RawStep {
  const name = g.fresh("m");
  const proc = g.rng.pick(g.procs);
  const files = [...g.files.keys()];
  const kind = g.rng.chance(0.04) ? "pfnmap" : files.length > 0 && g.rng.chance(0.4) ? "file" : "anonymous";
  const flags: string[] = [g.rng.chance(0.5) ? "private" : "shared"];
  if (kind !== "file") flags.push(kind);
  if (g.rng.chance(0.25)) flags.push("populate");
  if (g.rng.chance(0.06)) flags.push("hugetlb");
  if (g.rng.chance(0.08)) flags.push("dontcopy");
  const step: RawStep = { op: "mmap", proc, as: name, prot: prot(g), flags };
  let length = g.rng.pick([PAGE, 2 * PAGE, 4 * PAGE, 16 * PAGE, 64 * PAGE]);
  if (g.rng.chance(0.15)) length = g.rng.pick([2, 4]) * 1024 * 1024;
  if (kind === "file") {
    const file = g.rng.pick(files);
    const size = g.files.get(file)!.size;
    step.file = file;
    const filePages = Math.max(1, Math.ceil(size / PAGE));
    if (g.rng.chance(0.7)) length = g.rng.int(1, Math.min(filePages, 1024)) * PAGE;
    if (g.rng.chance(0.25)) step.offset = formatSize(g.rng.int(0, filePages) * PAGE);
  }
  step.length = formatSize(length);
  placement(g, step, proc);
  g.maps.push({ name, proc, length });
  return step;
}

/**
 * (2.0) Now and then ask for an address: right after another mapping of the same process
 * (MAP_FIXED_NOREPLACE by default, MAP_FIXED over whatever follows it, or a hint), or an
 * alignment for the address the kernel chooses.
 */
function placement(g: GenState, step: RawStep, proc: string): void {
  const mine = g.maps.filter((m) => m.proc === proc);
  if (mine.length > 0 && g.rng.chance(0.12)) {
    step.after = g.rng.pick(mine).name;
    const fixed = g.rng.pick([undefined, true, false, "noreplace"] as const);
    if (fixed !== undefined) step.fixed = fixed;
  }
  if ((step.after === undefined || step.fixed === false) && g.rng.chance(0.06)) step.align = g.rng.pick(["64KiB", "2MiB"]);
}

/**
 * `mmap`, and for most private anonymous mappings of 2 MiB or more a MADV_HUGEPAGE over all of it
 * right away, so THPs (PMD leaves, the huge zero page, their splits) are common: a random
 * `madvise` seldom picks that advice over a whole aligned 2 MiB before the first touch.
 */
export function mmapSteps(g: GenState): RawStep[] {
  const step = mmapStep(g);
  const m = g.maps[g.maps.length - 1];
  const flags = step.flags as string[];
  if (m.length < 2 * 1024 * 1024 || !flags.includes("anonymous") || !flags.includes("private") || flags.includes("hugetlb") || !g.rng.chance(0.8)) return [step];
  return [step, { op: "madvise", proc: m.proc, addr: m.name, length: formatSize(m.length), advice: "hugepage" }];
}

/**
 * (2.0) `mremap` of a range of a mapping: a shrink or a grow (with `maymove` now and then), a move
 * over another mapping of the process (`fixed`, by `new_addr` or `after`), or `dontunmap`; the
 * result is bound as a new mapping, so later steps use the moved range.
 */
export function mremapStep(g: GenState): RawStep | undefined {
  const m = g.mapping();
  if (m === undefined) return undefined;
  const proc = g.procFor(m);
  const { addr, length } = g.range(m);
  const name = g.fresh("r");
  const step: RawStep = { op: "mremap", proc, addr, old_length: formatSize(length), as: name };
  const others = g.maps.filter((x) => x.proc === proc && x !== m);
  const kind = g.rng.pick(["resize", "resize", "fixed", "dontunmap"] as const);
  let newLength = length;
  if (kind === "fixed" && others.length > 0) {
    step.flags = ["maymove", "fixed"];
    step[g.rng.chance(0.5) ? "new_addr" : "after"] = g.rng.pick(others).name;
  } else if (kind === "dontunmap") {
    step.flags = ["maymove", "dontunmap"];
  } else {
    newLength = g.rng.pick([PAGE, Math.max(PAGE, Math.floor(length / 2 / PAGE) * PAGE), 2 * length, length + 2 * 1024 * 1024, g.rng.chance(0.1) ? 0 : length]);
    if (g.rng.chance(0.6)) step.flags = ["maymove"];
  }
  step.new_length = formatSize(newLength);
  g.maps.push({ name, proc, length: Math.max(PAGE, newLength) });
  return step;
}

/** An op over a range of a mapping: munmap, mprotect, madvise, touch, migrate, split. */
export function rangeStep(g: GenState, op: "munmap" | "mprotect" | "madvise" | "touch" | "migrate" | "split"): RawStep | undefined {
  const m = g.mapping();
  if (m === undefined) return undefined;
  const { addr, length } = g.range(m, 1024);
  const step: RawStep = { op, proc: g.procFor(m), addr, length: formatSize(length) };
  if (op === "mprotect") step.prot = prot(g);
  // With swap, MADV_PAGEOUT often, so that pages go out and come back under every other op.
  if (op === "madvise") step.advice = g.swap && g.rng.chance(0.5) ? "pageout" : g.rng.pick(MADVICE);
  if (op === "touch") step.write = g.rng.chance(0.5);
  if (op === "split" && g.rng.chance(0.3)) step.order = g.rng.pick([0, 2, 4]);
  return step;
}

/**
 * `write`, mostly followed by a `read` of the same bytes (the read-back the wrong-result check
 * compares); with swap, often with a `madvise pageout` of that page in between, so the bytes
 * must come back from the swap device, and now and then a `fork` after it, so they come back
 * through the swap cache of a shared swap entry.
 */
export function writeSteps(g: GenState): RawStep[] {
  const m = g.mapping();
  if (m === undefined) return [];
  const { addr } = g.range(m);
  const proc = g.procFor(m);
  const data = g.data();
  const out: RawStep[] = [{ op: "write", proc, addr, data }];
  if (!g.rng.chance(0.6)) return out;
  if (g.swap && g.rng.chance(0.5)) {
    out.push({ op: "madvise", proc, addr, length: formatSize(PAGE), advice: "pageout" });
    if (g.rng.chance(0.4)) {
      const child = g.fresh("c");
      out.push({ op: "fork", proc, child });
      g.procs.push(child);
    }
  }
  out.push({ op: "read", proc, addr, length: data.length });
  return out;
}

/** `read` of a range. */
export function readStep(g: GenState): RawStep | undefined {
  const m = g.mapping();
  if (m === undefined) return undefined;
  const { addr } = g.range(m);
  return { op: "read", proc: g.procFor(m), addr, length: g.rng.int(1, 64) };
}

/** `gup`: any call, FOLL_* flags drawn one by one (invalid combinations included), a vaddr_pin owner now and then. */
export function gupStep(g: GenState): RawStep | undefined {
  const m = g.mapping();
  if (m === undefined) return undefined;
  const { addr, pages } = g.range(m, g.rng.chance(0.1) ? 1024 : 32);
  const call = g.rng.pick(GUP_CALLS);
  const flags = Object.keys(FOLL_FLAGS).filter((f) => g.rng.chance(FOLL_ODDS[f] ?? 0.01));
  const name = g.fresh("h");
  const step: RawStep = { op: "gup", proc: g.procFor(m), addr, pages: g.rng.chance(0.03) ? 0 : pages, call, flags, as: name };
  if (call.startsWith("vaddr") && g.rng.chance(0.3)) {
    step.owner = g.files.size > 0 && g.rng.chance(0.5) ? { file: g.rng.pick([...g.files.keys()]) } : { mm: g.rng.pick(g.procs) };
  }
  g.handles.push({ name, released: false });
  return step;
}

function handle(g: GenState, live: boolean): { name: string; released: boolean } | undefined {
  const open = g.handles.filter((h) => !h.released);
  const from = live && open.length > 0 ? open : g.handles;
  return from.length === 0 ? undefined : g.rng.pick(from);
}

/** `release`, `peek` or `poke` of a handle. */
export function handleStep(g: GenState, op: "release" | "peek" | "poke"): RawStep | undefined {
  const h = handle(g, op !== "release" || g.rng.chance(0.95));
  if (h === undefined) return undefined;
  if (op === "release") {
    h.released = true;
    return { op, handle: h.name, dirty: g.rng.chance(0.4) };
  }
  const offset = g.rng.chance(0.7) ? 0 : g.rng.int(0, 8) * 512;
  return op === "peek" ? { op, handle: h.name, offset, length: g.rng.int(1, 64) } : { op, handle: h.name, offset, data: g.data() };
}

/** A file op: ftruncate, punch_hole, writeback, reclaim, lease. */
export function fileStep(g: GenState, op: "ftruncate" | "punch_hole" | "writeback" | "reclaim" | "lease"): RawStep | undefined {
  const files = [...g.files.keys()];
  if (files.length === 0) return op === "writeback" || op === "reclaim" ? { op } : undefined;
  const file = g.rng.pick(files);
  const size = g.files.get(file)!.size;
  const proc = g.rng.chance(0.3) ? { proc: g.rng.pick(g.procs) } : {};
  switch (op) {
    case "ftruncate":
      return { op, file, size: formatSize(g.rng.pick([0, PAGE, Math.floor(size / 2 / PAGE) * PAGE, size, size + PAGE])), ...proc };
    case "punch_hole":
      return { op, file, offset: formatSize(g.rng.int(0, Math.max(0, Math.ceil(size / PAGE) - 1)) * PAGE), length: formatSize(g.rng.int(1, 8) * PAGE), ...proc };
    case "writeback":
      return { op, ...(g.rng.chance(0.6) ? { file } : {}), async: g.rng.chance(0.4) };
    case "reclaim":
      return { op, ...(g.rng.chance(0.5) ? { file } : {}) };
    case "lease":
      return { op, proc: g.rng.pick(g.procs), file, type: g.rng.pick(LEASE_TYPES) };
  }
}

/** A step of `op` (undefined when its precondition is missing: no mapping, no handle, no device). */
export function stepOf(g: GenState, op: string, devices: readonly { name: string; device: FuzzDevice }[]): RawStep[] | undefined {
  const one = (s: RawStep | undefined) => (s === undefined ? undefined : [s]);
  switch (op) {
    case "mmap": return mmapSteps(g);
    case "munmap": case "mprotect": case "madvise": case "touch": case "migrate": case "split": return one(rangeStep(g, op));
    case "mremap": return one(mremapStep(g));
    case "write": return writeSteps(g);
    case "read": return one(readStep(g));
    case "gup": return one(gupStep(g));
    case "release": case "peek": case "poke": return one(handleStep(g, op));
    case "ftruncate": case "punch_hole": case "writeback": case "reclaim": case "lease": return one(fileStep(g, op));
    case "fork": {
      const child = g.fresh("c");
      const step = { op, proc: g.rng.pick(g.procs), child };
      g.procs.push(child);
      return [step];
    }
    case "exit": return [{ op, proc: g.rng.pick(g.procs) }];
    case "compact": return [{ op, ...(g.rng.chance(0.7) ? { zone: g.rng.pick(COMPACT_ZONES) } : {}) }];
    case "cma_alloc": return [{ op, pages: g.rng.pick([1, 2, 16, 64]) }];
    case "advance": return [{ op, time: g.rng.pick(["1us", "10us", "50us", "200us", "1ms"]) }];
    case "settle": case "khugepaged": return [{ op }];
    case "device": return devices.length === 0 ? undefined : one(deviceStep(g, g.rng.pick(devices)));
    default: return undefined;
  }
}
