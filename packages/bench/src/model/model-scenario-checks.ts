/**
 * The 100k-step scenario checks of issue 18's table, run in a model child: the generated
 * scenario ({@link scenarioText}) parsed and run end to end, without and with invariant checks.
 * @module
 */
import { loadScenario, pluginView, runScenario } from "@pinlab/core";
import type { DependencyContainer } from "tsyringe";
import type { ModelChildResult } from "./model-checks.js";
import { gc, now } from "./model-child-support.js";
import { scenarioText } from "./scenario-text.js";

/** Steps of the scenario at scale 1. */
export const LARGE_SCENARIO_STEPS = 100_000;

/** Parse and run the scenario `samples` times; parse and run are timed apart, each sample in full (parse, then run). */
function parseAndRun(c: DependencyContainer, policy: string, scale: number, checkInvariants: boolean, samples: number): ModelChildResult {
  const steps = Math.max(100, Math.round(LARGE_SCENARIO_STEPS * scale));
  const text = scenarioText(steps);
  const parseMs: number[] = [];
  const runMs: number[] = [];
  let failedSteps = 0;
  let ran = 0;
  for (let i = 0; i < samples; i++) {
    gc();
    const t0 = now();
    const loaded = loadScenario(text, `generated-${steps}-steps.yaml`, pluginView(c));
    const t1 = now();
    const report = runScenario(loaded, { container: c, policy, checkInvariants });
    const t2 = now();
    parseMs.push((t1 - t0) / 1e6);
    runMs.push((t2 - t1) / 1e6);
    ran = loaded.steps.length;
    failedSteps = report.results[0].steps.filter((s) => !s.ok || s.expectations.some((e) => !e.pass)).length;
  }
  return { check: checkInvariants ? "scenario-100k-invariants" : "scenario-100k", policy, steps: ran, parseMs, runMs, failedSteps };
}

/** `scenario-100k`: three end-to-end runs (parse + run) of the 100,000-step scenario. */
export function scenario100k(c: DependencyContainer, policy: string, scale: number): ModelChildResult {
  return parseAndRun(c, policy, scale, false, 3);
}

/** `scenario-100k-invariants`: one end-to-end run with the invariant checker after every step (the slowest check). */
export function scenario100kInvariants(c: DependencyContainer, policy: string, scale: number): ModelChildResult {
  return parseAndRun(c, policy, scale, true, 1);
}
