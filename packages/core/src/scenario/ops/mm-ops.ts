/** Executors of the address-space ops: mmap, munmap, mremap, mprotect, madvise, touch, write, read, fork, exit, migrate. */
import { doFork, doExit } from "../../mm/fork.js";
import { doMadvise, type MadviseAdvice } from "../../mm/madvise.js";
import type { MmapPlacement } from "../../mm/get-unmapped-area.js";
import { pageAlign } from "../../mm/mm-args.js";
import { doMmap, doMunmap, mmapGranule, type MmapRequest } from "../../mm/mmap.js";
import { doMprotect } from "../../mm/mprotect.js";
import { touchRange, userRead, userWrite } from "../../mm/user-access.js";
import { Process } from "../../mm/process.js";
import { VM_EXEC, VM_HUGETLB, VM_READ, VM_WRITE } from "../../mm/vm-flags.js";
import { MREMAP_DONTUNMAP, MREMAP_FIXED, MREMAP_MAYMOVE, sysMremap } from "../../mm/mremap.js";
import { HPAGE_PMD_SIZE, PAGE_SIZE } from "../../sim/units.js";
import { migrateRange } from "../../migrate/migrate.js";
import type { StepOf } from "../schema/steps.js";
import type { RunContext, StepOutcome } from "../run-context.js";
import { bytesToText, textToBytes } from "../strings.js";
import { fromReturn } from "./outcome.js";

/** Protection bits from names. */
export function protBits(prot: readonly string[]): number {
  let p = 0;
  for (const x of prot) p |= x === "read" ? VM_READ : x === "write" ? VM_WRITE : VM_EXEC;
  return p;
}

/** How an mmap step's `fixed` takes its address: true = MAP_FIXED, false = a hint, absent or `noreplace` = MAP_FIXED_NOREPLACE (v1's meaning of `addr`). */
export function mmapPlacement(fixed: StepOf<"mmap">["fixed"]): MmapPlacement {
  return fixed === true ? "fixed" : fixed === false ? "hint" : "noreplace";
}

/** `mmap`: the start address; the mapping's end goes with it for a later `after:`. */
export function runMmap(ctx: RunContext, s: StepOf<"mmap">): StepOutcome {
  const k = ctx.inst.kernel;
  const req: MmapRequest = {
    length: s.length, prot: protBits(s.prot), shared: s.flags.includes("shared"), anonymous: s.flags.includes("anonymous"),
    file: s.file !== undefined ? k.file(s.file) : undefined, offset: s.offset, populate: s.flags.includes("populate"),
    hugetlb: s.flags.includes("hugetlb"), hugetlbSize: s.hugetlb, dontcopy: s.flags.includes("dontcopy"), pfnmap: s.flags.includes("pfnmap"),
    addr: s.after !== undefined ? ctx.bindings.mappingEnd(s.after, "after") : s.addr !== undefined ? ctx.bindings.addr(s.addr, "addr") : undefined,
    placement: mmapPlacement(s.fixed), align: s.align,
  };
  const r = doMmap(k, k.process(s.proc), req);
  return r < 0 ? { errno: -r } : { result: r, end: r + pageAlign(s.length, mmapGranule(req)) };
}

/** `munmap`. */
export function runMunmap(ctx: RunContext, s: StepOf<"munmap">): StepOutcome {
  const k = ctx.inst.kernel;
  const r = doMunmap(k, k.process(s.proc), ctx.bindings.addr(s.addr, "addr"), s.length);
  return r < 0 ? { errno: -r } : {};
}

/** (2.0) `mremap`: the mapping's address now; its end (address + new length, in pages or 2 MiB for hugetlb) goes with it for a later `after:`. */
export function runMremap(ctx: RunContext, s: StepOf<"mremap">): StepOutcome {
  const k = ctx.inst.kernel;
  const proc = k.process(s.proc);
  let flags = 0;
  for (const f of s.flags) flags |= f === "maymove" ? MREMAP_MAYMOVE : f === "fixed" ? MREMAP_FIXED : MREMAP_DONTUNMAP;
  const newAddr = s.after !== undefined ? ctx.bindings.mappingEnd(s.after, "after") : s.new_addr !== undefined ? ctx.bindings.addr(s.new_addr, "new_addr") : undefined;
  const r = sysMremap(k, proc, { addr: ctx.bindings.addr(s.addr, "addr"), oldLength: s.old_length, newLength: s.new_length, flags, newAddr });
  if (typeof r === "number") return { errno: -r };
  const hugetlb = ((proc.mm?.findVma(r.addr)?.flags ?? 0) & VM_HUGETLB) !== 0;
  return { result: r.addr, end: r.addr + pageAlign(s.new_length, hugetlb ? HPAGE_PMD_SIZE : PAGE_SIZE) };
}

/** `mprotect`. */
export function runMprotect(ctx: RunContext, s: StepOf<"mprotect">): StepOutcome {
  const k = ctx.inst.kernel;
  return fromReturn(doMprotect(k, k.process(s.proc), ctx.bindings.addr(s.addr, "addr"), s.length, protBits(s.prot)), undefined);
}

/** `madvise`. */
export function runMadvise(ctx: RunContext, s: StepOf<"madvise">): StepOutcome {
  const k = ctx.inst.kernel;
  const r = doMadvise(k, k.process(s.proc), ctx.bindings.addr(s.addr, "addr"), s.length, s.advice as MadviseAdvice);
  return r < 0 ? { errno: -r } : {};
}

/** `touch`: pages faulted in. */
export function runTouch(ctx: RunContext, s: StepOf<"touch">): StepOutcome {
  const k = ctx.inst.kernel;
  return fromReturn(touchRange(k, k.process(s.proc), ctx.bindings.addr(s.addr, "addr"), s.length, s.write));
}

/** `write`. */
export function runWrite(ctx: RunContext, s: StepOf<"write">): StepOutcome {
  const k = ctx.inst.kernel;
  const r = userWrite(k, k.process(s.proc), ctx.bindings.addr(s.addr, "addr"), textToBytes(s.data));
  return r < 0 ? { errno: -r } : {};
}

/** `read`: exactly `length` bytes, as a string (`bytesToText`: NULs kept). */
export function runRead(ctx: RunContext, s: StepOf<"read">): StepOutcome {
  const k = ctx.inst.kernel;
  const r = userRead(k, k.process(s.proc), ctx.bindings.addr(s.addr, "addr"), s.length);
  return typeof r === "number" ? { errno: -r } : { result: bytesToText(r) };
}

/** `fork`. */
export function runFork(ctx: RunContext, s: StepOf<"fork">): StepOutcome {
  const k = ctx.inst.kernel;
  if (k.findProcess(s.child) !== undefined) return { error: `a process named "${s.child}" already exists` };
  const r = doFork(k, k.process(s.proc), s.child);
  return r instanceof Process ? {} : { errno: -r };
}

/** `exit`. */
export function runExit(ctx: RunContext, s: StepOf<"exit">): StepOutcome {
  const k = ctx.inst.kernel;
  const proc = k.process(s.proc);
  if (!proc.alive) return { error: `process "${s.proc}" has already exited` };
  doExit(k, proc);
  return {};
}

/** `migrate`: `{ migrated, failed }`. */
export function runMigrate(ctx: RunContext, s: StepOf<"migrate">): StepOutcome {
  const k = ctx.inst.kernel;
  return { result: migrateRange(k, k.process(s.proc).pid, ctx.bindings.addr(s.addr, "addr"), s.length) };
}
