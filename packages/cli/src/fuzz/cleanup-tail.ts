/**
 * The cleanup tail the fuzzer appends to every scenario before it checks for leaks: settle the
 * clock, release every gup handle the body did not release, give back everything each device
 * was given (its `releases` action for each name it bound), audit `pinned_vm` while the
 * processes live, then exit every process (children first) and settle again. After it nothing
 * may hold a pin, a file pin, a device frame or an allocated frame outside a page cache.
 * @module
 */
import type { RawScenario, RawStep } from "./gen-state.js";
import type { FuzzTargets } from "./targets.js";

/** The `note` every tail step carries (a replay recognises the tail by it and rebuilds it). */
export const TAIL_NOTE = "fuzz cleanup tail";

/** The note of the `check` step at which the leak audit reads `pinned_vm` (before the exits). */
export const PINNED_VM_AUDIT_NOTE = "fuzz cleanup tail: pinned_vm audit";

/** The steps of `sc` without a tail it may carry (a scenario written by the fuzzer has one). */
export function bodyOf(steps: readonly RawStep[]): RawStep[] {
  return steps.filter((s) => typeof s.note !== "string" || !s.note.startsWith(TAIL_NOTE));
}

/** `steps` with each `concurrent` block replaced by its threads' steps (issue 21): what binds handles and forks. */
function flatSteps(steps: readonly RawStep[]): RawStep[] {
  const out: RawStep[] = [];
  for (const s of steps) {
    const threads = s.op === "concurrent" && typeof s.threads === "object" && s.threads !== null ? Object.values(s.threads) : undefined;
    if (threads === undefined) out.push(s);
    else for (const thread of threads) if (Array.isArray(thread)) out.push(...(thread as RawStep[]));
  }
  return out;
}

/** The tail for `sc`'s body (the steps of its concurrent blocks' threads included). */
export function cleanupTail(sc: RawScenario, targets: FuzzTargets): RawStep[] {
  const t = (s: RawStep): RawStep => ({ ...s, note: TAIL_NOTE });
  const tail: RawStep[] = [t({ op: "settle" })];
  const released = new Set<string>();
  const handles: string[] = [];
  const bound = new Map<string, string[]>();
  const procs = sc.processes.map((p) => (typeof p === "string" ? p : String(p.name)));
  for (const s of flatSteps(sc.steps)) {
    if (s.op === "gup" && typeof s.as === "string") handles.push(s.as);
    if (s.op === "release" && typeof s.handle === "string") released.add(s.handle);
    if (s.op === "device" && typeof s.as === "string") bound.set(String(s.device), [...(bound.get(String(s.device)) ?? []), s.as]);
    if (s.op === "fork" && typeof s.child === "string") procs.push(s.child);
  }
  for (const h of handles) if (!released.has(h)) tail.push(t({ op: "release", handle: h }));
  for (const d of sc.devices) {
    const kind = targets.devices.find((k) => k.kind === d.kind);
    for (const a of kind?.actions ?? []) {
      if (a.releases === true) tail.push(t({ op: "device", device: d.name, action: a.name }));
      else if (typeof a.releases === "string") {
        for (const name of bound.get(String(d.name)) ?? []) tail.push(t({ op: "device", device: d.name, action: a.name, [a.releases]: name }));
      }
    }
  }
  tail.push(t({ op: "settle" }), { op: "check", note: PINNED_VM_AUDIT_NOTE });
  for (const p of [...new Set(procs)].reverse()) tail.push(t({ op: "exit", proc: p }));
  tail.push(t({ op: "settle" }));
  return tail;
}

/** `sc` with its body's cleanup tail appended (a tail it already carries is replaced). */
export function withCleanupTail(sc: RawScenario, targets: FuzzTargets): RawScenario {
  const body = { ...sc, steps: bodyOf(sc.steps) };
  return { ...body, steps: [...body.steps, ...cleanupTail(body, targets)] };
}
