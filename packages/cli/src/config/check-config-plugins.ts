/**
 * The config checked against the registered plugins, once they are loaded: every policy id it
 * names exists, and every `policyOptions` entry is valid for its policy. Without this a mistake
 * in the config surfaced only when a run used it (or never, when a scenario named its own
 * policy), and without the config file's name.
 * @module
 */
import { formatZodIssues, listPolicies, policyOptionsIssues } from "@pinlab/core";
import type { DependencyContainer } from "tsyringe";
import { UsageError } from "../io.js";
import type { PinlabConfig } from "./pinlab-config.js";

/** Throw a UsageError naming the config file and the field when the config names an unknown policy or gives invalid options. */
export function checkConfigPlugins(config: PinlabConfig, container: DependencyContainer): void {
  if (config.source === undefined) return;
  const policies = new Map(listPolicies(container).map((d) => [d.meta.id, d]));
  const known = () => `known policies: ${[...policies.keys()].join(", ")}`;
  const named = config.policy === undefined ? [] : typeof config.policy === "string" ? [config.policy] : config.policy;
  for (const id of named) {
    if (id !== "all" && !policies.has(id)) throw new UsageError(`${config.source}: policy: unknown policy "${id}" (${known()})`);
  }
  for (const [id, options] of Object.entries(config.policyOptions)) {
    const bad = policyOptionsIssues(container, id, options);
    if (bad?.unknownPolicy === true) throw new UsageError(`${config.source}: policyOptions.${id}: unknown policy "${id}" (${known()})`);
    if (bad !== undefined) {
      throw new UsageError(`${config.source}: ${formatZodIssues(bad.issues, { prefix: `policyOptions.${id}` }).join("; ")}`);
    }
  }
}
