/**
 * Turn a model child's result into goal verdicts ({@link judge}): one {@link GoalResult} per row
 * of issue 18's table (and per earlier goal), with the measured figure (the median of the
 * child's samples; min and median in the note), the goal and the verdict, and the kernel's
 * published figure next to ours where the reference has one. A pure function: tests feed it
 * synthetic results.
 * @module
 */
import { summarize } from "../probe/stats.js";
import type { GoalResult } from "../runner/results.js";
import type { HugeSamples, ModelChildResult, NsSamples } from "./model-checks.js";
import {
  GOAL_BARE_RATIO, GOAL_BYTES_PER_PAGE, GOAL_CREATE_MS, GOAL_HUGE_SUBPAGE_NS, GOAL_PIN_CALL_NS, GOAL_PIN_ORDER0_NS, GOAL_SCENARIO_INVARIANTS_STEPS_S,
  GOAL_SCENARIO_MS, GOAL_SCENARIO_STEPS_S, GOAL_TOUCH_RATIO, GOAL_UNPIN_CALL_NS, GOAL_UNPIN_ORDER0_NS, KERNEL_FIGURES, KERNEL_SOURCE,
} from "./model-goals.js";

const MB = 1024 ** 2;
const GB = 1024 ** 3;

/** Min and median of samples (at least one). */
function minMedian(xs: NsSamples): { min: number; median: number } {
  const s = summarize(xs);
  if (s === undefined) throw new Error("a model check reported no samples");
  return { min: s.min, median: s.median };
}

/** `1.23` with 2 significant decimals under 10, 1 under 100, none above. */
function fmt(x: number): string {
  return x.toFixed(x < 10 ? 2 : x < 100 ? 1 : 0);
}

/** Bytes as GiB: `1` at scale 1, `0.004` for a scaled-down run. */
function gib(bytes: number): string {
  const x = bytes / GB;
  return Number.isInteger(x) ? String(x) : x.toFixed(3);
}

/** `min 1.20 / median 1.34 ns/page`. */
function spread(xs: NsSamples, unit: string): string {
  const m = minMedian(xs);
  return `min ${fmt(m.min)} / median ${fmt(m.median)} ${unit}`;
}

/** `met` or `missed`. */
function met(ok: boolean): string {
  return ok ? "met" : "missed";
}

/** The huge-folio kind the goal is judged on (THP: the "after the PMD leaf"), and the others. */
function hugeKinds(kinds: readonly HugeSamples[]): { judged: HugeSamples; others: HugeSamples[] } {
  const judged = kinds.find((k) => k.kind === "thp") ?? kinds[0];
  if (judged === undefined) throw new Error("the huge check reported no region");
  return { judged, others: kinds.filter((k) => k !== judged) };
}

/** Turn a child's result into goal verdicts. `scaled` marks runs smaller than the goals (no verdict). */
export function judge(r: ModelChildResult, scaled: boolean): GoalResult[] {
  const g = (id: string, description: string, target: string, unit: string, measured: number, pass: boolean, note: string): GoalResult =>
    ({ id, description, target, unit, measured, pass: scaled ? null : pass, note: scaled ? `scaled-down run (not a verdict): ${note}` : note });
  switch (r.check) {
    case "pin-order0":
    case "unpin-order0": {
      const pin = r.check === "pin-order0";
      const call = pin ? "pin_user_pages_fast" : "unpin_user_pages";
      const goalNs = pin ? GOAL_PIN_ORDER0_NS : GOAL_UNPIN_ORDER0_NS;
      const kernelNs = pin ? KERNEL_FIGURES.pinOrder0 : KERNEL_FIGURES.unpinOrder0;
      const gup = minMedian(r.samples.gup);
      const bare = minMedian(r.samples.bare);
      const ratio = gup.median / bare.median;
      const nsOk = gup.median <= goalNs;
      const ratioOk = ratio <= GOAL_BARE_RATIO;
      return [g(`model-${r.check}`, `${call}, ${r.policy}, ${gib(r.bytes)} GiB of faulted anon order-0 memory, batch ${r.batch}, ${r.flags}`,
        `<= ${goalNs} ns/page and <= ${GOAL_BARE_RATIO}x the warmed bare loop`, "ns/page", gup.median, nsOk && ratioOk,
        `${fmt(ratio)}x the warmed bare loop (${met(ratioOk)}), ${fmt(gup.median)} ns/page (${met(nsOk)}); ${call} ${spread(r.samples.gup, "ns/page")}, bare loop (refcount[pfn] ${pin ? "+" : "-"}= 1) ${spread(r.samples.bare, "ns/page")}, ratio of mins ${fmt(gup.min / bare.min)}x; ${r.samples.gup.length} alternating samples after ${r.warmup} warm-up passes, one child; kernel ≈ ${kernelNs} ns/page (${KERNEL_SOURCE})`)];
    }
    case "huge": {
      const { judged, others } = hugeKinds(r.kinds);
      const pin = minMedian(judged.pin);
      const unpin = minMedian(judged.unpin);
      const ok = pin.median <= GOAL_HUGE_SUBPAGE_NS && unpin.median <= GOAL_HUGE_SUBPAGE_NS;
      const huge = judged.order > 0 ? `order-${judged.order} folios` : "NOT huge: the region got order-0 pages";
      const other = others.map((o) => `${o.kind} (order ${o.order}): pin ${spread(o.pin, "ns")}, unpin ${spread(o.unpin, "ns")}`).join("; ");
      return [g("model-huge", `pin_user_pages_fast / unpin_user_pages per 4 KiB subpage, ${judged.kind} (MADV_HUGEPAGE), ${r.policy}, ${gib(r.bytes)} GiB, batch ${r.batch}, ${r.flags}`,
        `<= ${GOAL_HUGE_SUBPAGE_NS} ns/subpage each`, "ns/subpage", pin.median, ok && judged.order > 0,
        `pin ${spread(judged.pin, "ns")} (${met(pin.median <= GOAL_HUGE_SUBPAGE_NS)}), unpin ${spread(judged.unpin, "ns")} (${met(unpin.median <= GOAL_HUGE_SUBPAGE_NS)}) per subpage, ${huge}; ${other}${other === "" ? "" : "; "}kernel hugetlb ≈ ${KERNEL_FIGURES.hugetlbPin} ns pin, ≈ ${KERNEL_FIGURES.hugetlbUnpin} ns put per subpage (${KERNEL_SOURCE})`)];
    }
    case "call": {
      const pin = minMedian(r.pin);
      const unpin = minMedian(r.unpin);
      const pinOk = pin.median <= GOAL_PIN_CALL_NS;
      const unpinOk = unpin.median <= GOAL_UNPIN_CALL_NS;
      return [g("model-call", `one pin_user_pages_fast call / one unpin_user_pages call of 1 page (batch 1), ${r.calls} calls a sample, ${r.policy}, ${r.flags}`,
        `<= ${GOAL_PIN_CALL_NS} ns / <= ${GOAL_UNPIN_CALL_NS} ns per call`, "ns/call", pin.median, pinOk && unpinOk,
        `pin ${spread(r.pin, "ns/call")} (${met(pinOk)}), unpin ${spread(r.unpin, "ns/call")} (${met(unpinOk)}); ${r.pin.length} samples after ${r.warmup} warm-up passes`)];
    }
    case "scenario-100k":
    case "scenario-100k-invariants": {
      const invariants = r.check === "scenario-100k-invariants";
      const goal = invariants ? GOAL_SCENARIO_INVARIANTS_STEPS_S : GOAL_SCENARIO_STEPS_S;
      const total = minMedian(r.parseMs.map((p, i) => p + r.runMs[i]!));
      const stepsS = (ms: number) => r.steps / (ms / 1000);
      const measured = stepsS(total.median);
      const parse = minMedian(r.parseMs);
      const run = minMedian(r.runMs);
      return [g(`model-${r.check}`, `a ${r.steps}-step scenario end to end with parsing${invariants ? ", invariant checks after every step" : ""} (${r.policy})`,
        `>= ${goal.toLocaleString("en-US")} steps/s`, "steps/s", measured, measured >= goal && r.failedSteps === 0,
        `median of ${r.runMs.length} (fastest ${stepsS(total.min).toFixed(0)} steps/s): parse ${stepsS(parse.median).toFixed(0)} steps/s (${parse.median.toFixed(0)} ms), run ${stepsS(run.median).toFixed(0)} steps/s (${run.median.toFixed(0)} ms); ${r.failedSteps} step(s) failed`)];
    }
    case "footprint": {
      const rss = (r.faulted.rss - r.machine.rss) / r.pages;
      const ab = (r.faulted.arrayBuffers - r.machine.arrayBuffers) / r.pages;
      const reserved = `building the ${r.machineBytes / GB} GiB machine itself reserved ${((r.machine.arrayBuffers - r.before.arrayBuffers) / MB).toFixed(0)} MiB of typed arrays (zero-filled lazily: ${((r.machine.rss - r.before.rss) / MB).toFixed(0)} MiB resident)`;
      return [
        g("model-footprint-rss", `RSS growth per faulted page: ${r.faultedBytes / GB} GiB faulted on a ${r.machineBytes / GB} GiB machine (${r.policy}), after GC, young generation held at 1 MiB semi-spaces`, `<= ${GOAL_BYTES_PER_PAGE} B/page`, "B/page", rss, rss <= GOAL_BYTES_PER_PAGE,
          `RSS ${(r.machine.rss / MB).toFixed(0)} -> ${(r.faulted.rss / MB).toFixed(0)} MiB for ${r.pages} pages (frame-table entries the faults touch, page tables and the rest); ${reserved}`),
        // Reported, not judged: the page tables alone; the frame table is allocated when the machine is built.
        { ...g("model-footprint-arraybuffers", "arrayBuffers growth per faulted page, same run (page tables only: the frame table is reserved when the machine is built)", "reported", "B/page", ab, true,
          `arrayBuffers ${(r.machine.arrayBuffers / MB).toFixed(0)} -> ${(r.faulted.arrayBuffers / MB).toFixed(0)} MiB (page tables); heap ${(r.machine.heapUsed / MB).toFixed(0)} -> ${(r.faulted.heapUsed / MB).toFixed(0)} MiB`), pass: null },
      ];
    }
    case "create": {
      const worst = Math.max(...r.ms);
      return [g("model-create-64gib", `build a ${r.machineBytes / GB} GiB machine (${r.policy})`, `< ${GOAL_CREATE_MS} ms`, "ms", worst, worst < GOAL_CREATE_MS, `slowest of ${r.ms.length} in a fresh process: ${r.ms.map((x) => x.toFixed(0)).join(", ")} ms`)];
    }
    case "touch": {
      const small = minMedian(r.small.nsPerPage).median;
      const large = minMedian(r.large.nsPerPage).median;
      const ratio = large / small;
      return [g("model-touch-flat", `touch ns/page, ${r.large.bytes / GB} GiB over ${r.small.bytes / MB} MiB (${r.policy})`, `<= ${GOAL_TOUCH_RATIO}x`, "x", ratio, ratio <= GOAL_TOUCH_RATIO,
        `${small.toFixed(0)} ns/page at ${r.small.bytes / MB} MiB (median of ${r.small.nsPerPage.length}), ${large.toFixed(0)} ns/page at ${(r.large.bytes / MB).toFixed(0)} MiB (median of ${r.large.nsPerPage.length})`)];
    }
    case "scenario": {
      const run = minMedian(r.runMs).median;
      return [g("model-scenario-10k", `run a ${r.steps}-step scenario (${r.policy})`, `< ${GOAL_SCENARIO_MS} ms`, "ms", run, run < GOAL_SCENARIO_MS && r.failedSteps === 0,
        `median of ${r.runMs.length} runs (${r.runMs.map((x) => x.toFixed(0)).join(", ")} ms); parsing and validation ${r.loadMs.toFixed(0)} ms; ${r.failedSteps} step(s) failed`)];
    }
    case "events": {
      const bad = r.calls.filter((c) => c.ownEvents !== 1);
      return [g("model-bulk-events", `bulk operations over ${r.calls[0]?.pages ?? 0} pages emit one event of their own type per call`, "1 per call", "calls off", bad.length, bad.length === 0,
        r.calls.map((c) => `${c.op}: ${c.ownEvents} ${c.ownType} (${c.allEvents} in all)`).join("; "))];
    }
  }
}
