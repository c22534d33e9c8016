/**
 * (issue 21) The static independence relation `pinlab explore` reduces with: when two steps of
 * different threads of a concurrent block commute (running them in either order gives the same
 * hazards, the same expectations' results and the same data, frame numbers aside). Conservative:
 * two steps are independent only when
 * - they name different processes (`proc`), neither of which forks, is forked or exits anywhere
 *   in the scenario (a forked child shares its parent's private pages copy-on-write);
 * - each is a process-local op: `mmap` of private anonymous memory (not hugetlb), or `munmap`,
 *   `mprotect`, `touch`, `write`, `read`, `madvise(dontneed)` at an address bound by such an mmap
 *   of the same process (and only by it): no file, no device, no gup handle, no shared mapping;
 * - each checks at most `ok`, `errno`, `result` and its own process's `data` (counters and
 *   hazards are machine-wide).
 * Everything else is dependent on everything. Frames come from one allocator, so the frame
 * numbers of two commuted allocations swap: equivalent orders agree up to that renaming.
 * @module
 */
import { ADDR_PATTERN } from "../sim/field-schemas.js";
import type { Expectations } from "./schema/expectations.js";
import type { Step } from "./schema/steps.js";

/** The ops that may be process-local. */
const LOCAL_OPS: ReadonlySet<string> = new Set(["mmap", "munmap", "mprotect", "touch", "write", "read", "madvise"]);
/** The expectation keys a process-local step may carry. */
const LOCAL_EXPECT_KEYS: ReadonlySet<string> = new Set(["ok", "errno", "result", "data"]);

/** True for an mmap step of private anonymous memory (not hugetlb). */
function privateAnonMmap(step: Step): boolean {
  return step.op === "mmap" && step.flags.includes("private") && step.flags.includes("anonymous") && !step.flags.includes("hugetlb") && !step.flags.includes("pfnmap");
}

/** True when an expectation block reads only the step's own outcome and its process's data. */
function localExpect(e: Expectations | undefined, proc: string): boolean {
  if (e === undefined) return true;
  for (const [k, v] of Object.entries(e)) {
    if (v === undefined) continue;
    if (!LOCAL_EXPECT_KEYS.has(k)) return false;
    if (k === "data" && (Array.isArray(v) ? v : [v]).some((d: { proc: string }) => d.proc !== proc)) return false;
  }
  return true;
}

/**
 * The independence relation of a scenario's steps (see the module comment): `independent(a, b)`
 * for two steps of different threads.
 */
export function stepIndependence(steps: readonly Step[]): (a: Step, b: Step) => boolean {
  const forking = new Set<string>();
  const mmapOf = new Map<string, Step[]>(); // a name -> the steps binding it
  for (const s of steps) {
    if (s.op === "fork") {
      forking.add(s.proc);
      forking.add(s.child);
    }
    if (s.op === "exit") forking.add(s.proc);
    if (s.as !== undefined) mmapOf.set(s.as, [...(mmapOf.get(s.as) ?? []), s]);
  }
  const local = (s: Step): string | undefined => {
    if (!LOCAL_OPS.has(s.op) || !("proc" in s) || typeof s.proc !== "string" || forking.has(s.proc)) return undefined;
    if (s.op === "madvise" && s.advice !== "dontneed") return undefined;
    if (s.expect_by_policy !== undefined || s.expect_by_kernel !== undefined || !localExpect(s.expect, s.proc)) return undefined;
    if (s.op === "mmap") return privateAnonMmap(s) && s.addr === undefined && s.after === undefined ? s.proc : undefined;
    const addr = (s as { addr?: unknown }).addr;
    const name = typeof addr === "string" ? ADDR_PATTERN.exec(addr)?.[1] : undefined;
    const binders = name === undefined ? [] : (mmapOf.get(name) ?? []);
    if (binders.length !== 1 || !privateAnonMmap(binders[0]) || (binders[0] as { proc: string }).proc !== s.proc) return undefined;
    return s.proc;
  };
  const memo = new Map<Step, string | undefined>();
  const procOf = (s: Step): string | undefined => {
    if (!memo.has(s)) memo.set(s, local(s));
    return memo.get(s);
  };
  return (a, b) => {
    const pa = procOf(a);
    const pb = procOf(b);
    return pa !== undefined && pb !== undefined && pa !== pb;
  };
}
