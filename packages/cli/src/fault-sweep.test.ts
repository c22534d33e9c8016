/**
 * The library under injected faults: every scenario of scenarios/ run with one failure injected at
 * each call of each fault point in turn (the first 12 allocations, the first 4 calls of the other
 * points), under every policy it names, with the fuzzer's checks: invariants after every step, no
 * crash, nothing different between two runs, and after the cleanup tail nothing leaked.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { pluginView } from "@pinlab/core";
import { builtinContainer } from "./plugins/load-plugins.js";
import { REPO_ROOT } from "./test-support/capture-io.js";
import { faultSweep } from "./fuzz/fault-sweep.js";
import type { RawScenario } from "./fuzz/gen-state.js";
import { fuzzTargets } from "./fuzz/targets.js";

const dir = join(REPO_ROOT, "scenarios");
const files = readdirSync(dir).filter((f) => /\.(ya?ml|json)$/.test(f)).sort();
const container = builtinContainer();
const targets = fuzzTargets(pluginView(container));
const env = { container, targets };

function policiesOf(raw: { policy?: string | string[] }): string[] {
  const p = raw.policy ?? "pin-bias";
  const list = typeof p === "string" ? [p] : p;
  return list.flatMap((x) => (x === "all" ? targets.policies : [x]));
}

describe("the scenario library under injected faults", () => {
  let swept = 0;
  it.each(files)("%s: one failure at each allocation (then migration, writeback, DMA) in turn leaves the model consistent and leaks nothing", (file) => {
    const raw = { files: [], devices: [], processes: [], seed: 1, ...parse(readFileSync(join(dir, file), "utf8")) } as RawScenario & { policy?: string | string[] };
    const allocs = faultSweep(raw, policiesOf(raw), env, { points: ["alloc"], maxIndices: 12 });
    const others = faultSweep(raw, policiesOf(raw), env, { points: ["migrate", "writeback", "dma"], maxIndices: 4 });
    swept += allocs.runs + others.runs;
    const found = [...allocs.findings, ...others.findings].map((f) => `${f.point} call ${f.call}: ${f.finding.class} under ${f.finding.policy}: ${f.finding.message}`);
    expect(found).toEqual([]);
  });

  it("injected a failure somewhere: the sweep is not empty", () => {
    expect(swept).toBeGreaterThan(files.length * 4);
  });
});
