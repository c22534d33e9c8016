/**
 * (issue 21) Checking a scenario's `explore` block against an exploration: each entry, for each
 * run (`policy@kernel`) it is about, holds when some finding matches (`found`) or none does and
 * the search was exhaustive within the bound (`absent`). An entry about a policy or kernel not
 * explored (`--policy`, `--kernel`) is reported as not checked.
 * @module
 */
import type { ExploreEntry, ExploreSpec } from "@pinlab/core";
import type { Exploration, ExploreFinding } from "./explore-orders.js";

/** One entry checked against one run. */
export interface ExploreCheck {
  /** The entry's index in `explore.expect`. */
  readonly entry: number;
  /** `found` or `absent`. */
  readonly kind: "found" | "absent";
  /** What it selects: `class`, `class/outcome` or `expectation/key`. */
  readonly selector: string;
  /** The run: `policy@kernel`; absent when no run was about the entry. */
  readonly run?: string;
  /** `pass`, `fail`, or `not checked` (no run was about the entry). */
  readonly status: "pass" | "fail" | "not checked";
  /** Why: the matching finding's order, or what was missing. */
  readonly why: string;
  /** The entry's note. */
  readonly note?: string;
}

/** The kernels an exploration of `spec` runs at when `--kernel` is not given: the entries' eras, and the default (undefined) when an entry names none. */
export function exploreKernels(spec: ExploreSpec | undefined): (string | undefined)[] {
  if (spec === undefined) return [undefined];
  const named = [...new Set(spec.expect.flatMap((e) => (e.kernel === undefined ? [] : [e.kernel])))];
  return spec.expect.some((e) => e.kernel === undefined) ? [undefined, ...named] : named;
}

/** What an entry selects, as text. */
function selectorText(e: ExploreEntry): string {
  const s = e.found ?? e.absent!;
  return s.class === "expectation" ? `expectation${s.key !== undefined ? `/${s.key}` : ""}` : `${s.class}${s.outcome !== undefined ? `/${s.outcome}` : ""}`;
}

/** True when `f` is what the entry's selector means. */
function matches(e: ExploreEntry, f: ExploreFinding): boolean {
  const s = e.found ?? e.absent!;
  if (f.class !== s.class) return false;
  if (s.class === "expectation") {
    if (s.key === undefined) return true;
    const key = f.outcome.replace(/ at step \d+$/, "");
    return key === s.key || key.startsWith(`${s.key}.`);
  }
  return s.outcome === undefined || f.outcome === s.outcome;
}

/** Check `spec` against `x` (see the module comment). */
export function checkExploreSpec(spec: ExploreSpec | undefined, x: Exploration): ExploreCheck[] {
  if (spec === undefined) return [];
  const out: ExploreCheck[] = [];
  spec.expect.forEach((e, entry) => {
    const kind = e.found !== undefined ? "found" : "absent";
    const selector = selectorText(e);
    const base = { entry, kind, selector, ...(e.note !== undefined ? { note: e.note } : {}) } as const;
    const runs = x.runs.filter((r) => {
      const [policy, kernel] = r.split("@");
      return (e.policy === undefined || e.policy === policy) && (e.kernel === undefined || e.kernel === kernel);
    });
    if (runs.length === 0) {
      out.push({ ...base, status: "not checked", why: `no run is about it (${[e.policy !== undefined ? `policy ${e.policy}` : "", e.kernel !== undefined ? `kernel ${e.kernel}` : ""].filter((w) => w !== "").join(", ")} not explored)` });
      return;
    }
    for (const run of runs) {
      const hit = x.findings.find((f) => `${f.policy}@${f.kernel}` === run && matches(e, f));
      const order = (f: ExploreFinding) => f.trace.map((o) => `[${o.join(", ")}]`).join(" ");
      if (kind === "found") {
        out.push({ ...base, run, status: hit !== undefined ? "pass" : "fail", why: hit !== undefined ? `${hit.class} ${hit.outcome}: order ${order(hit)}` : `no order within the bound produces it` });
      } else if (hit !== undefined) {
        out.push({ ...base, run, status: "fail", why: `${hit.class} ${hit.outcome}: order ${order(hit)}` });
      } else {
        out.push({ ...base, run, status: x.exhaustive ? "pass" : "fail", why: x.exhaustive ? "no order within the bound produces it" : "the search was not exhaustive" });
      }
    }
  });
  return out;
}
