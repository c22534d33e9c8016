/**
 * What the results say, computed once for every report: the hazard matrix (policy x hazard
 * class), which policy wins what, and the headline contrasts issue 7 asks the report to show.
 * @module
 */
import type { HazardClass, HazardOutcome } from "@pinlab/core";
import type { CellResult } from "../runner/cell.js";
import type { BenchResults } from "../runner/results.js";
import { sweepSuffix, unsweptPolicyFirst } from "../runner/sweep-coordinates.js";
import { fmtBytes, policyAtKernel } from "./format.js";
import { entryText, leadWithinNoise, pinPlusRelease, type TimedEntry } from "./noise-wins.js";

/**
 * Who a cell speaks for in per-policy summaries: its policy, with the policy options a sweep set
 * (`pin-bias[bias=256]`), so each swept setting of a policy is a contender of its own and a swept
 * policy's cells are not summed across its settings. Workload sweeps multiply every policy alike
 * and do not split contenders. In a run with a kernel axis (`--kernels`) the era is part of it
 * (`pin-bias@v5.3`): cells of different eras are never summed or compared as one policy. An
 * unswept cell of a run without the axis speaks for its policy (at its own era).
 */
export function contender(c: Pick<CellResult, "policy" | "sweep"> & Partial<Pick<CellResult, "id" | "workload" | "variant" | "kernel">>): string {
  const own = Object.fromEntries(Object.entries(c.sweep ?? {}).filter(([name]) => name.slice(0, name.lastIndexOf(".")) === c.policy));
  return `${policyAtKernel(c)}${sweepSuffix("", c.policy, own)}`;
}

/** The contenders of a run (see {@link contender}), in cell order. */
export function contenders(results: BenchResults): string[] {
  return [...new Set(results.cells.map(contender))];
}

/** Every hazard class the oracle records, in report order. */
export const HAZARD_CLASSES: readonly HazardClass[] = ["dma_after_clean", "dma_to_truncated", "cow_divergence", "dma_to_freed", "longterm_in_movable", "cow_leak"];

/** Outcomes from worst to best. */
export const OUTCOMES: readonly HazardOutcome[] = ["undetected", "detected", "prevented"];

/** One cell of the hazard matrix: what a policy did about a hazard class, over every workload. */
export interface MatrixCell {
  /** Policy (in a swept run, with the options a sweep set: see {@link contender}). */
  readonly policy: string;
  /** Hazard class. */
  readonly hazard: HazardClass;
  /** Hazards by outcome. */
  readonly counts: Readonly<Record<HazardOutcome, number>>;
  /** The worst outcome seen, or `none` when the class never arose under this policy. */
  readonly worst: HazardOutcome | "none";
  /** Workloads (with variant) the class arose in under this policy. */
  readonly workloads: readonly string[];
}

/** The hazard matrix. */
export interface HazardMatrix {
  /** Policies (rows; in a swept run, {@link contender}s). */
  readonly policies: readonly string[];
  /** Hazard classes (columns). */
  readonly hazards: readonly HazardClass[];
  /** Cells by `policy/hazard`. */
  readonly cells: ReadonlyMap<string, MatrixCell>;
}

/** Build the hazard matrix. */
export function hazardMatrix(results: BenchResults): HazardMatrix {
  const policies = contenders(results);
  const cells = new Map<string, MatrixCell>();
  for (const policy of policies) {
    for (const hazard of HAZARD_CLASSES) {
      const counts: Record<HazardOutcome, number> = { undetected: 0, detected: 0, prevented: 0 };
      const workloads: string[] = [];
      for (const c of results.cells) {
        if (contender(c) !== policy) continue;
        const h = c.metrics.hazards[hazard];
        if (h === undefined) continue;
        let any = false;
        for (const o of OUTCOMES) {
          counts[o] += h[o];
          if (h[o] > 0) any = true;
        }
        if (any) workloads.push(`${c.workload}[${c.variant}]`);
      }
      const worst = OUTCOMES.find((o) => counts[o] > 0) ?? "none";
      cells.set(`${policy}/${hazard}`, { policy, hazard, counts, worst, workloads });
    }
  }
  return { policies, hazards: HAZARD_CLASSES, cells };
}

/** A "who wins what" line. */
export interface Win {
  /** What is compared. */
  readonly what: string;
  /** The winning policies (ties share). */
  readonly winners: readonly string[];
  /** Why, with the numbers. */
  readonly detail: string;
  /** True when the winners share a timed win because it is inside the noise (their intervals overlap), not by equal figures. */
  readonly tie?: boolean;
}

/** The winners as a report says them: `a, b`, or `tie: a, b` for a win inside the noise. */
export function winnersText(w: Win): string {
  return `${w.tie === true ? "tie: " : ""}${w.winners.join(", ")}`;
}

function best(entries: readonly [string, number][], lowerIsBetter = true): { winners: string[]; value: number } | undefined {
  if (entries.length === 0) return undefined;
  const value = lowerIsBetter ? Math.min(...entries.map(([, v]) => v)) : Math.max(...entries.map(([, v]) => v));
  return { winners: entries.filter(([, v]) => v === value).map(([p]) => p), value };
}

/** Which policy wins what: silent hazards, refusals, false positives, memory, simulated and wall-clock cost. */
export function wins(results: BenchResults): Win[] {
  const out: Win[] = [];
  const policies = contenders(results);
  const per = (f: (c: CellResult) => number) => policies.map((p): [string, number] => [p, results.cells.filter((c) => contender(c) === p).reduce((a, c) => a + f(c), 0)]);
  const undetected = per((c) => Object.values(c.metrics.hazards).reduce((a, h) => a + (h?.undetected ?? 0), 0));
  const b1 = best(undetected);
  if (b1 !== undefined) out.push({ what: "fewest silent (undetected) hazards", winners: b1.winners, detail: undetected.map(([p, v]) => `${p} ${v}`).join(", ") });
  const refused = per((c) => Object.values(c.metrics.refused).reduce((a, n) => a + n, 0));
  const b2 = best(refused);
  if (b2 !== undefined) out.push({ what: "fewest refused operations (availability)", winners: b2.winners, detail: refused.map(([p, v]) => `${p} ${v}`).join(", ") });
  // A policy that never answers "pinned" has no false positives by construction: it is not a contender.
  const fpCells = results.cells.filter((c) => c.workload === "shared-library-false-positive" && c.metrics.falsePositiveRate !== null);
  const blind = fpCells.filter((c) => c.metrics.falseNegativeRate === 1).map(contender);
  const fp = fpCells.filter((c) => !blind.includes(contender(c))).map((c): [string, number] => [contender(c), c.metrics.falsePositiveRate!]);
  const b3 = best(fp);
  if (b3 !== undefined) {
    out.push({
      what: "fewest maybeDmaPinned false positives (shared library)", winners: b3.winners,
      detail: `${fp.map(([p, v]) => `${p} ${(v * 100).toFixed(1)}%`).join(", ")}${blind.length > 0 ? `; ${blind.join(", ")} excluded: never answers pinned` : ""}`,
    });
  }
  const fnr = per((c) => c.metrics.audit.falseNegatives);
  const b4 = best(fnr);
  if (b4 !== undefined) out.push({ what: "fewest maybeDmaPinned false negatives (pinned pages it cannot see)", winners: b4.winners, detail: fnr.map(([p, v]) => `${p} ${v}`).join(", ") });
  const peak = (p: string) => results.cells.filter((c) => contender(c) === p).reduce((a, c) => (c.metrics.accountingBytesPerFrame > a.metrics.accountingBytesPerFrame ? c : a), results.cells.find((c) => contender(c) === p)!);
  const mem = policies.map((p): [string, number] => [p, peak(p).metrics.accountingBytesPerFrame]);
  const b5 = best(mem);
  if (b5 !== undefined) {
    out.push({
      what: "least accounting memory (peak bytes per frame)", winners: b5.winners,
      detail: policies.map((p) => `${p} ${fmtBytes(peak(p).metrics.accountingBytes)} (${peak(p).metrics.accountingBytesPerFrame.toPrecision(2)} B/frame)`).join(", "),
    });
  }
  const gt = results.cells.filter((c) => c.workload === "gup-throughput" && c.error === undefined);
  const sim = gt.filter((c) => c.metrics.simNsPerPage !== null).map((c): [string, number] => [contender(c), c.metrics.simNsPerPage!]);
  const b6 = best(sim);
  if (b6 !== undefined) out.push({ what: "cheapest pin + unpin, simulated (cost model, gup-throughput order-0 fast)", winners: b6.winners, detail: sim.map(([p, v]) => `${p} ${v.toFixed(1)} ns/page`).join(", ") });
  const wall = gt.map((c) => pinPlusRelease(contender(c), c)).filter((e): e is TimedEntry => e !== undefined);
  const lead = leadWithinNoise(wall);
  if (lead !== undefined) {
    out.push({
      what: "cheapest pin + unpin, wall clock in this model (gup-throughput order-0 fast)", winners: lead.winners, tie: lead.tie,
      detail: `${wall.map(entryText).join(", ")}${lead.tie ? "; a tie: the leader's interval overlaps theirs (inside the noise)" : ""}`,
    });
  }
  return out;
}

/** One policy's row in a headline contrast. */
export interface ContrastRow {
  /** Policy (with options when the workload sets some). */
  readonly policy: string;
  /** What the contrast expects of it. */
  readonly expected: string;
  /** What the run shows. */
  readonly observed: string;
  /** True when the observation matches. */
  readonly holds: boolean;
}

/** A headline contrast. */
export interface Contrast {
  /** Stable id (used by tests and the HTML). */
  readonly id: string;
  /** Title. */
  readonly title: string;
  /** The cells it reads. */
  readonly cells: string;
  /** Policy rows; empty when the cells were not in this run. */
  readonly rows: readonly ContrastRow[];
  /** True when every row holds; null when the run did not include the cells. */
  readonly holds: boolean | null;
}

function hz(c: CellResult | undefined, cls: HazardClass, o: HazardOutcome): number {
  return c?.metrics.hazards[cls]?.[o] ?? 0;
}

function refusedBy(c: CellResult | undefined, op: string, errno: string): number {
  return c?.metrics.refusedBy[op]?.[errno] ?? 0;
}

function policyLabel(c: CellResult | undefined, policy: string): string {
  const opts = c?.policyOptions ?? {};
  const at = c?.kernel !== undefined ? `${policy} @${c.kernel}` : policy;
  return Object.keys(opts).length > 0 ? `${at} ${JSON.stringify(opts)}` : at;
}

/**
 * True when `c` runs at its policy's own era (or the results predate eras): the headline
 * contrasts compare policies each at its own era, never a policy moved to another era.
 */
function atOwnKernel(c: CellResult, results: BenchResults): boolean {
  const own = results.context.policyKernels?.[c.policy];
  return c.kernel === undefined || own === undefined || c.kernel === own;
}

function contrast(id: string, title: string, cellsDesc: string, rows: (ContrastRow | undefined)[]): Contrast {
  const present = rows.filter((r): r is ContrastRow => r !== undefined);
  return { id, title, cells: cellsDesc, rows: present, holds: present.length === 0 ? null : present.every((r) => r.holds) };
}

/** The headline contrasts of issue 7, read from the run's cells at each policy's own era. */
export function headlineContrasts(results: BenchResults): Contrast[] {
  const cells = unsweptPolicyFirst(results.cells.filter((c) => atOwnKernel(c, results)));
  const find = (workload: string, variants: readonly string[], policy: string) =>
    variants.map((v) => cells.find((c) => c.workload === workload && c.variant === v && c.policy === policy && c.error === undefined)).find((c) => c !== undefined);
  const row = (c: CellResult | undefined, policy: string, expected: string, observed: (c: CellResult) => string, ok: (c: CellResult) => boolean): ContrastRow | undefined =>
    c === undefined ? undefined : { policy: policyLabel(c, policy), expected, observed: observed(c), holds: ok(c) };
  const dioV = ["block-layer", "direct-io"];
  const dioL = find("dio-writeback-race", dioV, "legacy-get");
  const dioB = find("dio-writeback-race", dioV, "pin-bias");
  const forkL = find("rdma-fork", ["rdma-mr"], "legacy-get");
  const forkB = find("rdma-fork", ["rdma-mr"], "pin-bias");
  const daxB = find("rdma-file-truncate", ["fsdax"], "pin-bias");
  const daxV = find("rdma-file-truncate", ["fsdax"], "vaddr-pin");
  const daxL = find("rdma-file-truncate", ["fsdax"], "legacy-get");
  const odp = results.cells.filter((c) => atOwnKernel(c, results) && c.workload === "odp-churn" && c.variant === "hmm" && c.error === undefined);
  return [
    contrast("dio-writeback", "DIO into a shared ext4 page racing writeback", "dio-writeback-race", [
      row(dioL, "legacy-get", "dma_after_clean undetected", (c) => `dma_after_clean undetected ${hz(c, "dma_after_clean", "undetected")}, lost pages ${c.counters.lostPages ?? 0}`, (c) => hz(c, "dma_after_clean", "undetected") > 0),
      row(dioB, "pin-bias", "dma_after_clean detected", (c) => `dma_after_clean detected ${hz(c, "dma_after_clean", "detected")}, undetected ${hz(c, "dma_after_clean", "undetected")}, lost pages ${c.counters.lostPages ?? 0}`, (c) => hz(c, "dma_after_clean", "detected") > 0 && hz(c, "dma_after_clean", "undetected") === 0),
    ]),
    contrast("rdma-fork", "RDMA region, then fork", "rdma-fork[rdma-mr]", [
      row(forkL, "legacy-get", "cow_divergence undetected", (c) => `cow_divergence undetected ${hz(c, "cow_divergence", "undetected")}, diverged pages ${c.counters.divergedPages ?? 0}`, (c) => hz(c, "cow_divergence", "undetected") > 0),
      row(forkB, "pin-bias", "cow_divergence prevented", (c) => `cow_divergence prevented ${hz(c, "cow_divergence", "prevented")}, undetected ${hz(c, "cow_divergence", "undetected")}`, (c) => hz(c, "cow_divergence", "prevented") > 0 && hz(c, "cow_divergence", "undetected") === 0),
    ]),
    contrast("rdma-fsdax-truncate", "RDMA on FS-DAX, then truncate", "rdma-file-truncate[fsdax]", [
      row(daxB, "pin-bias", "refuses the pin (EOPNOTSUPP)", (c) => `reg_mr refused EOPNOTSUPP ${refusedBy(c, "reg_mr", "EOPNOTSUPP")}`, (c) => refusedBy(c, "reg_mr", "EOPNOTSUPP") > 0),
      row(daxV, "vaddr-pin", "refuses the truncate (ETXTBSY)", (c) => `ftruncate refused ETXTBSY ${refusedBy(c, "ftruncate", "ETXTBSY")}, dma_to_freed prevented ${hz(c, "dma_to_freed", "prevented")}`, (c) => refusedBy(c, "ftruncate", "ETXTBSY") > 0),
      row(daxL, "legacy-get", "block reuse: dma_to_freed undetected", (c) => `dma_to_freed undetected ${hz(c, "dma_to_freed", "undetected")}, corrupted pages of another file ${c.counters.corruptedPages ?? 0}`, (c) => hz(c, "dma_to_freed", "undetected") > 0),
    ]),
    contrast("odp-churn", "ODP under migration and truncate", "odp-churn[hmm]", odp.map((c) => row(c, c.policy, "no pin, no hazard, invalidations counted",
      (x) => `hazards ${Object.values(x.metrics.hazards).reduce((a, h) => a + (h?.undetected ?? 0) + (h?.detected ?? 0) + (h?.prevented ?? 0), 0)}, pins ${x.counters.nr_foll_pin_acquired ?? 0}, invalidations ${x.counters.invalidations ?? 0}, migrated ${x.counters.migratedPages ?? 0}`,
      (x) => Object.keys(x.metrics.hazards).length === 0 && (x.counters.nr_foll_pin_acquired ?? 0) === 0 && (x.counters.invalidations ?? 0) > 0))),
  ];
}
