/**
 * Any scenario is a workload (issue 19): a scenario file given to `pinlab bench --scenarios`
 * becomes the workload `scenario:NAME` (NAME: the file's stem), run per policy of the bench's
 * policy axis and per era of its kernel axis. The bench's axes decide: the scenario's own
 * `policy:` and `machine.kernel` are not used (its `policy_options` are, as a workload's options
 * for a policy). Each sample runs it the way `pinlab run` does, with the scenario's own seed.
 * @module
 */
import { loadScenario, pluginView, type LoadedScenario } from "@pinlab/core";
import type { DependencyContainer } from "tsyringe";
import { checkedWorkload, workloadParams, type WorkloadDefinition } from "./define-workload.js";
import { runScenarioSample } from "./scenario-sample.js";

/** A scenario file as the bench carries it to its workers: where it came from (for messages) and its text. */
export interface ScenarioSource {
  /** The file, as the user named it (relative to the working directory when inside it). */
  readonly file: string;
  /** Its text (YAML or JSON). */
  readonly text: string;
}

/** What every scenario workload's id starts with. */
export const SCENARIO_WORKLOAD_PREFIX = "scenario:";

/** The workload id of a scenario file: `scenario:` and its stem, lower-cased, other characters than a-z, 0-9 and `-` made `-`. */
export function scenarioWorkloadId(file: string): string {
  const base = file.split(/[\\/]/).pop() ?? file;
  const stem = base.replace(/\.(ya?ml|json)$/i, "").toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^-+|-+$/g, "");
  return `${SCENARIO_WORKLOAD_PREFIX}${stem || "unnamed"}`;
}

const params = workloadParams({});

/** Rough seconds a sample of a scenario takes (a few ms): for the order cells start in, nothing else. */
const COST_PER_SAMPLE = 0.01;

const SIZES = {
  tiny: { samples: 2, warmup: 0 },
  small: { samples: 5, warmup: 1 },
  default: { samples: 10, warmup: 2 },
  large: { samples: 20, warmup: 3 },
} as const;

/** The workload of a validated scenario. */
export function scenarioWorkload(source: ScenarioSource, loaded: LoadedScenario): WorkloadDefinition {
  const h = loaded.header;
  const kinds = [...new Set(h.devices.map((d) => d.kind))];
  const devices = h.devices.map((d) => `${d.name} (${d.kind})`).join(", ");
  return checkedWorkload({
    meta: {
      id: scenarioWorkloadId(source.file),
      summary: h.description ?? h.name,
      models: `the scenario "${h.name}": ${loaded.steps.length} steps${devices !== "" ? `, devices ${devices}` : ""}`,
      source: source.file,
      params,
      sizes: SIZES,
      cost: Object.fromEntries(Object.entries(SIZES).map(([k, s]) => [k, (s.samples + s.warmup) * COST_PER_SAMPLE])) as Record<keyof typeof SIZES, number>,
      // The device column is the first device kind the scenario declares; the summary names them all.
      variants: [{ id: "scenario", ...(kinds.length > 0 ? { device: kinds[0] } : {}), summary: devices !== "" ? `the scenario's devices: ${devices}` : "no device: the scenario's own GUP steps" }],
      ...(h.policy_options !== undefined ? { policyOptions: h.policy_options } : {}),
      lookFor: "hazards by class and outcome and refusals by errno per policy, as pinlab run of the scenario records them; counters: passed (1 when its expectations held under the policy), expectationsFailed, pinsPeak/pinsLeftover",
    },
    create(env) {
      const view = pluginView(env.container);
      return { sample: (probe) => runScenarioSample(loaded, view, env, probe) };
    },
  });
}

/**
 * Read and validate a scenario against the plugins of `container` (its device kinds, their
 * actions) and make it a workload. Throws core's `ScenarioError` listing every problem (file,
 * line, step, field), as `pinlab check` does.
 */
export function loadScenarioWorkload(container: DependencyContainer, source: ScenarioSource): WorkloadDefinition {
  return scenarioWorkload(source, loadScenario(source.text, source.file, pluginView(container)));
}
