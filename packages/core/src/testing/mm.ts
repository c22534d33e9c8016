/**
 * Helpers of the mm specs (`mm/*.test.ts`), written once: a kernel with one process, the PTE at an
 * address, the last fault event, a fork that must succeed, an anonymous mapping at a fixed
 * address, and the kernel's userland-VMA-test picture of an address space.
 * @module
 */
import type { KernelConfigInput } from "../config/kernel-config.js";
import type { KernelEvent } from "../events/event-types.js";
import type { KernelContext } from "../kernel/context.js";
import { FOLL_LONGTERM } from "../gup/foll-flags.js";
import type { Gup } from "../gup/gup.js";
import { doFork } from "../mm/fork.js";
import { doMmap } from "../mm/mmap.js";
import type { MmStruct, Vma } from "../mm/mm-types.js";
import { Process } from "../mm/process.js";
import { VM_READ, VM_WRITE } from "../mm/vm-flags.js";
import { PAGE_SIZE } from "../sim/units.js";
import { testKernel } from "./kernel.js";

/** Options of {@link kernelWithProcess}. */
export interface KernelWithProcessOptions {
  /** The kernel config on top of the test defaults (an event log is kept). */
  readonly cfg?: Partial<KernelConfigInput>;
  /** RLIMIT_MEMLOCK of the process, in bytes (default: the kernel's). */
  readonly memlock?: number;
}

/** A test kernel (events kept) with one process named `p`: the instance, its kernel, the process and GUP. */
export function kernelWithProcess(opts: KernelWithProcessOptions = {}) {
  const inst = testKernel({ keepEventLog: true, ...opts.cfg });
  const k = inst.kernel;
  const p = k.spawn("p", opts.memlock !== undefined ? { memlock: opts.memlock } : undefined);
  return { inst, k, p, mm: p.mm!, gup: inst.gup };
}

/** The PTE at `addr` in `p`: frame and bits. */
export function pteAt(p: Process, addr: number): { pfn: number; bits: number } {
  const vpn = addr / PAGE_SIZE;
  return { pfn: p.mm!.pageTable.pfn(vpn), bits: p.mm!.pageTable.bits(vpn) };
}

/** The last `fault` event of `events`, if any. */
export function lastFault(events: readonly KernelEvent[]): KernelEvent<"fault"> | undefined {
  const e = [...events].reverse().find((x) => x.type === "fault");
  return e as KernelEvent<"fault"> | undefined;
}

/** `fork()` of `p` into a child named `name`; throws when it fails. */
export function forkOrThrow(k: KernelContext, p: Process, name = "c"): Process {
  const c = doFork(k, p, name);
  if (!(c instanceof Process)) throw new Error(`fork failed: ${c}`);
  return c;
}

/** Map `pages` private anonymous pages at exactly `addr` (read-write by default); throws when mmap puts them elsewhere. */
export function mapAt(k: KernelContext, p: Process, addr: number, pages: number, prot = VM_READ | VM_WRITE): number {
  const r = doMmap(k, p, { length: pages * PAGE_SIZE, prot, shared: false, anonymous: true, addr });
  if (r !== addr) throw new Error(`mmap at 0x${addr.toString(16)} returned ${r}`);
  return r;
}

/**
 * Draw `pages` pages from `base` as the kernel's userland VMA tests do: a protection letter per
 * page (`w` read-write, `r` read-only, `-` PROT_NONE), `|` at VMA boundaries, `.` for holes.
 */
export function drawVmas(mm: MmStruct, base: number, pages: number): string {
  let out = "";
  let prev: Vma | undefined;
  for (let i = 0; i < pages; i++) {
    const v = mm.findVma(base + i * PAGE_SIZE);
    if (v !== prev && (v !== undefined || prev !== undefined)) out += "|";
    out += v === undefined ? "." : v.flags & VM_WRITE ? "w" : v.flags & VM_READ ? "r" : "-";
    prev = v;
  }
  return prev !== undefined ? `${out}|` : out;
}

/**
 * The one-page GUP references and long-term pins a property test takes in random order and gives
 * back: `take` is `pin_user_pages(FOLL_LONGTERM | flags)` or `get_user_pages(flags)` of the page
 * at `addr`, kept when it succeeds; `release` gives back the one at `which` (modulo how many are
 * held); `releaseAll` gives back the rest.
 */
export class HeldPages {
  private readonly held: { pin: boolean; pages: number[] }[] = [];

  /** Take and give back through `gup`. */
  constructor(private readonly gup: Gup) {}

  /** Take one page at `addr` of `p`, a pin or a plain reference. */
  take(p: Process, addr: number, flags: number, pin: boolean): void {
    const pages: number[] = [];
    const r = pin ? this.gup.pinUserPages(p, addr, 1, flags | FOLL_LONGTERM, pages) : this.gup.getUserPages(p, addr, 1, flags, pages);
    if (r === 1) this.held.push({ pin, pages });
  }

  /** Give back the held page at `which` modulo the count (nothing when none is held). */
  release(which: number): void {
    if (this.held.length === 0) return;
    this.put(this.held.splice(which % this.held.length, 1)[0]);
  }

  /** Give back every held page. */
  releaseAll(): void {
    for (const h of this.held.splice(0)) this.put(h);
  }

  private put(h: { pin: boolean; pages: number[] }): void {
    if (h.pin) this.gup.unpinUserPages(h.pages, 1);
    else this.gup.putPages(h.pages, 1);
  }
}
