/**
 * (issue 21) The preemption points a step of a `concurrent` block can be interrupted at, where
 * the kernel has them (see `sim/preemption.ts`), in the order the operation reaches them. A step
 * with k points is k + 1 parts in its block's `order`: the part before the first point, the
 * part after each. Steps outside a block are never interrupted.
 * - `gup` with a fast call (`get_user_pages_fast`, `pin_user_pages_fast`,
 *   `get_user_pages_fast_only`): `gup_fast.read`, `gup_fast.grab` (gup_fast_pte_range(),
 *   mm/gup.c, v6.12);
 * - `gup` with any other call: `gup.faultin` (`__get_user_pages()`), and with FOLL_LONGTERM
 *   `gup.longterm_migrate` (`__gup_longterm_locked()`);
 * - `proc_mem_write` without `race`: `gup.faultin` (the FOLL_FORCE write's COW fault: the Dirty
 *   COW window);
 * - `fork`: `fork.copy_pte` (copy_present_pte(), mm/memory.c).
 * Computed from the raw step (before validation), so the loader can count an `order` first.
 * @module
 */
import type { PreemptPoint } from "../sim/preemption.js";

/** The GUP calls that walk the page tables locklessly first. */
const FAST_CALLS: ReadonlySet<string> = new Set(["get_user_pages_fast", "pin_user_pages_fast", "get_user_pages_fast_only"]);

/** The points of a (raw or validated) step, in the order its operation reaches them; none for a step that has none. */
export function stepPreemptPoints(step: unknown): readonly PreemptPoint[] {
  if (step === null || typeof step !== "object" || Array.isArray(step)) return [];
  const s = step as Record<string, unknown>;
  switch (s.op) {
    case "gup": {
      if (typeof s.call !== "string") return [];
      if (FAST_CALLS.has(s.call)) return ["gup_fast.read", "gup_fast.grab"];
      const longterm = Array.isArray(s.flags) && s.flags.includes("FOLL_LONGTERM");
      return longterm ? ["gup.faultin", "gup.longterm_migrate"] : ["gup.faultin"];
    }
    case "proc_mem_write":
      return s.race === undefined ? ["gup.faultin"] : [];
    case "fork":
      return ["fork.copy_pte"];
    default:
      return [];
  }
}

/**
 * The mmap lock a step of `op` takes for the whole of its work, as far as a step run at another
 * step's preemption point must wait for it: `write` for the ops that change the address space
 * (mmap, munmap, mprotect, mremap, fork, exit), `read` for madvise, the CPU's accesses (a fault
 * takes the lock or the VMA's), `/proc/PID/mem` and the slow GUP calls; none for the rest (GUP-fast
 * takes it only when it falls back, which calls `Preemption.mmapLock` itself; devices, files,
 * the clock). Coarse on purpose: a `read` of a page already mapped takes no lock on a real machine.
 */
export function stepMmapLock(step: { readonly op: string; readonly call?: unknown }): "read" | "write" | undefined {
  switch (step.op) {
    case "mmap": case "munmap": case "mprotect": case "mremap": case "fork": case "exit":
      return "write";
    case "madvise": case "touch": case "write": case "read": case "proc_mem_write": case "proc_mem_read":
      return "read";
    case "gup":
      return typeof step.call === "string" && FAST_CALLS.has(step.call) ? undefined : "read";
    default:
      return undefined;
  }
}
