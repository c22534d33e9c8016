/**
 * Checking `expect:` blocks against the model (docs/reference/scenario-format.md, "Expectations"). Every key
 * becomes one or more {@link ExpectationResult}s with what was expected and what the model had.
 * @module
 */
import { errnoName } from "../errno.js";
import { readBackingStore, readFileData } from "../mm/filemap.js";
import type { MmuNotifyEvent } from "../events/event-types.js";
import type { FaultPoint } from "../sim/fault-spec.js";
import { PAGE_SIZE } from "../sim/units.js";
import type { Bindings } from "./bindings.js";
import { pageState, peekUser } from "./observe.js";
import { describeOutcome, recordedHazardsCause } from "./outcome-cause.js";
import type { ExpectationResult } from "./report.js";
import type { RunContext, StepOutcome } from "./run-context.js";
import type { Expectations, HazardMatcher, PageExpectation } from "./schema/expectations.js";
import { bytesToText, sameBytes, textToBytes } from "./strings.js";

/** Compare a result with an expected value: equal scalars, or a map compared key by key. */
export function resultMatches(expected: unknown, actual: unknown): boolean {
  if (expected !== null && typeof expected === "object" && !Array.isArray(expected)) {
    if (actual === null || typeof actual !== "object") return false;
    return Object.entries(expected).every(([k, v]) => resultMatches(v, (actual as Record<string, unknown>)[k]));
  }
  if (Array.isArray(expected)) {
    return Array.isArray(actual) && expected.length === actual.length && expected.every((v, i) => resultMatches(v, actual[i]));
  }
  return expected === actual;
}

function frameOfRegion(ctx: RunContext, bindings: Bindings, region: string, offset: number): number | undefined {
  const b = bindings.get(region);
  if (b === undefined) return undefined;
  if (b.kind === "handle") return b.handle.pfns[Math.floor(offset / PAGE_SIZE)];
  if (b.kind === "device") {
    const dev = ctx.inst.devices.get(b.device);
    const frames = dev?.view().frames.filter((f) => f.label === b.name || f.label.startsWith(`${b.name}[`) || f.label.startsWith(`${b.name}:`));
    return frames?.[Math.floor(offset / PAGE_SIZE)]?.pfn;
  }
  return undefined;
}

function checkPage(ctx: RunContext, e: PageExpectation, out: ExpectationResult[], byPolicy: boolean): void {
  const k = ctx.inst.kernel;
  const addr = ctx.bindings.addr(e.addr, "page.addr");
  const st = pageState(ctx.inst, k.process(e.proc), addr);
  const fields = [
    "present", "refcount", "mapcount", "pincount", "maybe_dma_pinned", "dirty", "writeback", "writable", "anon_exclusive", "zero_page",
    "huge_zero_page", "pmd_mapped", "pud_mapped", "entire_mapcount", "folio_order", "zone", "orphan", "swapped",
    "device_private",
  ] as const;
  for (const f of fields) {
    const want = e[f];
    if (want === undefined) continue;
    const have = st[f] ?? (st.present ? undefined : "not present");
    out.push({ key: `page.${f}`, expected: want, actual: have, pass: have === want, byPolicy });
  }
  const sf = e.same_frame_as;
  if (sf !== undefined) {
    let other: number | undefined;
    if ("proc" in sf) other = pageState(ctx.inst, k.process(sf.proc), ctx.bindings.addr(sf.addr, "page.same_frame_as.addr")).pfn;
    else other = frameOfRegion(ctx, ctx.bindings, sf.region, sf.offset ?? 0);
    const pass = st.pfn !== undefined && other !== undefined && st.pfn === other;
    out.push({ key: "page.same_frame_as", expected: sf, actual: { frame: st.pfn ?? "not present", other: other ?? "none" }, pass, byPolicy });
  }
}

function hazardCheck(ctx: RunContext, m: HazardMatcher, byPolicy: boolean): ExpectationResult {
  const matching = ctx.inst.oracle.hazards.filter((h) => (m.class === undefined || h.class === m.class) && (m.outcome === undefined || h.outcome === m.outcome));
  const pass = m.count !== undefined ? matching.length === m.count : matching.length > 0;
  return { key: "hazards", expected: m, actual: { count: matching.length }, pass, byPolicy, ...(pass ? {} : { cause: recordedHazardsCause(ctx) }) };
}

/** Check one `expect` block after a step ran. */
export function checkExpectations(ctx: RunContext, e: Expectations, outcome: StepOutcome, byPolicy: boolean): ExpectationResult[] {
  const out: ExpectationResult[] = [];
  const k = ctx.inst.kernel;
  const failed = outcome.errno !== undefined || outcome.error !== undefined;
  // A failed ok/errno/result expectation on a failed step says how the step failed.
  const why = describeOutcome(outcome);
  const cause = (pass: boolean) => (pass || why === undefined ? {} : { cause: why });
  if (e.ok !== undefined) out.push({ key: "ok", expected: e.ok, actual: !failed, pass: e.ok === !failed, byPolicy, ...cause(e.ok === !failed) });
  if (e.errno !== undefined) {
    const have = outcome.errno !== undefined ? (errnoName(outcome.errno) ?? `errno ${outcome.errno}`) : null;
    out.push({ key: "errno", expected: e.errno, actual: have, pass: have === e.errno, byPolicy, ...cause(have === e.errno) });
  }
  if (e.result !== undefined) {
    const have = outcome.result ?? null;
    const pass = resultMatches(e.result, have);
    out.push({ key: "result", expected: e.result, actual: have, pass, byPolicy, ...cause(pass) });
  }
  if (e.page !== undefined) for (const p of Array.isArray(e.page) ? e.page : [e.page]) checkPage(ctx, p, out, byPolicy);
  for (const d of e.data === undefined ? [] : Array.isArray(e.data) ? e.data : [e.data]) {
    const want = textToBytes(d.equals);
    const bytes = peekUser(ctx.inst, k.process(d.proc), ctx.bindings.addr(d.addr, "data.addr"), want.length);
    const have = bytes === undefined ? "not mapped" : bytesToText(bytes);
    out.push({ key: "data", expected: d.equals, actual: have, pass: bytes !== undefined && sameBytes(bytes, want), byPolicy });
  }
  for (const fd of e.file_data === undefined ? [] : Array.isArray(e.file_data) ? e.file_data : [e.file_data]) {
    const inode = k.file(fd.file);
    const want = textToBytes(fd.equals);
    const read = fd.from === "disk" ? readBackingStore : readFileData;
    const bytes = read(k, inode, fd.offset, Math.max(want.length, 1)); // "": no byte there (EOF)
    out.push({ key: fd.from === "disk" ? "file_data.disk" : "file_data", expected: fd.equals, actual: bytesToText(bytes), pass: sameBytes(bytes, want), byPolicy });
  }
  if (e.counters !== undefined) {
    const snap = k.vmstat.snapshot();
    for (const [name, want] of Object.entries(e.counters)) {
      if (name === "pinned_vm") {
        const pv = want as { proc: string; pages: number };
        const have = k.process(pv.proc).mm?.pinnedVm ?? 0;
        out.push({ key: "counters.pinned_vm", expected: pv, actual: { proc: pv.proc, pages: have }, pass: have === pv.pages, byPolicy });
      } else if (name === "locked_vm") {
        const lv = want as { uid: number; pages: number } | { proc: string; pages: number };
        const user = "uid" in lv ? k.users.get(lv.uid) : k.process(lv.proc).user;
        const have = user?.lockedVm ?? 0;
        out.push({ key: "counters.locked_vm", expected: lv, actual: { ...lv, pages: have }, pass: have === lv.pages, byPolicy });
      } else if (name === "invalidations") {
        for (const [event, n] of Object.entries(want as Record<MmuNotifyEvent, number | undefined>)) {
          if (n === undefined) continue;
          const have = k.notifiers.counts[event as MmuNotifyEvent];
          out.push({ key: `counters.invalidations.${event}`, expected: n, actual: have, pass: have === n, byPolicy });
        }
      } else {
        out.push({ key: `counters.${name}`, expected: want, actual: snap[name], pass: snap[name] === (want as unknown), byPolicy });
      }
    }
  }
  if (e.hazards !== undefined) {
    if (Array.isArray(e.hazards) && e.hazards.length === 0) {
      const all = ctx.inst.oracle.hazards;
      out.push({ key: "hazards", expected: [], actual: all.map((h) => `${h.class}/${h.outcome}`), pass: all.length === 0, byPolicy, ...(all.length === 0 ? {} : { cause: recordedHazardsCause(ctx) }) });
    } else {
      for (const m of Array.isArray(e.hazards) ? e.hazards : [e.hazards]) out.push(hazardCheck(ctx, m, byPolicy));
    }
  }
  if (e.file_pins !== undefined) {
    const have = k.policy.filePins(k.process(e.file_pins.proc).pid).length;
    out.push({ key: "file_pins", expected: e.file_pins, actual: { proc: e.file_pins.proc, count: have }, pass: have === e.file_pins.count, byPolicy });
  }
  if (e.device_counters !== undefined) {
    const { device, ...want } = e.device_counters;
    const dev = ctx.inst.devices.get(device);
    const have = dev?.view().counters ?? {};
    for (const [name, v] of Object.entries(want)) {
      const actual = dev === undefined ? "no such device" : (have[name] ?? `no counter "${name}" (has ${Object.keys(have).join(", ")})`);
      out.push({ key: `device_counters.${name}`, expected: v, actual, pass: actual === v, byPolicy });
    }
  }
  if (e.now !== undefined) {
    const have = k.clock.now;
    // Shown in ns (a bare number this large would print as an address).
    out.push({ key: "now", expected: `${e.now}ns`, actual: `${have}ns`, pass: have === e.now, byPolicy });
  }
  if (e.faults !== undefined) {
    const stats = ctx.inst.faults.stats();
    for (const [point, want] of Object.entries(e.faults) as [FaultPoint, { calls?: number; injected?: number } | undefined][]) {
      for (const [field, v] of Object.entries(want ?? {}) as ["calls" | "injected", number][]) {
        const have = stats[point][field];
        out.push({ key: `faults.${point}.${field}`, expected: v, actual: have, pass: have === v, byPolicy });
      }
    }
  }
  if (e.invariants === true) {
    const v = ctx.inst.check();
    out.push({ key: "invariants", expected: true, actual: v.length === 0 ? true : v, pass: v.length === 0, byPolicy });
  }
  return out;
}
