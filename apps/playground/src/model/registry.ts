/**
 * The plugin registry the playground runs against: every policy of `@pinlab/policies` and every
 * device of `@pinlab/devices`, registered into one child container of tsyringe's root (never the
 * root itself, so nothing leaks between registries, e.g. between tests).
 */
import "reflect-metadata";
import { pluginView, type PluginView } from "@pinlab/core";
import { register as registerDevices } from "@pinlab/devices";
import { register as registerPolicies } from "@pinlab/policies";
import { container, type DependencyContainer } from "tsyringe";

/** What the playground needs to load and run scenarios. */
export interface Registry {
  /** The container with every policy and device registered. */
  readonly container: DependencyContainer;
  /** The registered plugins, as the scenario engine sees them. */
  readonly plugins: PluginView;
  /** Policy ids in registration order (plugins loaded later included). */
  readonly policyIds: readonly string[];
}

/** Build a registry with every policy and device registered. */
export function createRegistry(): Registry {
  const c = container.createChildContainer();
  registerPolicies(c);
  registerDevices(c);
  const plugins = pluginView(c);
  return { container: c, plugins, get policyIds() { return [...plugins.policies.keys()]; } };
}

/**
 * Bring `registry.plugins` up to date with its container after a plugin registered more
 * policies or devices into it (the maps are updated in place, so every holder of the view sees
 * them). Returns the ids that were added.
 */
export function refreshRegistry(registry: Registry): { policies: string[]; devices: string[] } {
  const now = pluginView(registry.container);
  const added = { policies: [] as string[], devices: [] as string[] };
  const policies = registry.plugins.policies as Map<string, unknown>;
  const devices = registry.plugins.devices as Map<string, unknown>;
  for (const [id, d] of now.policies) if (!policies.has(id)) { policies.set(id, d); added.policies.push(id); }
  for (const [id, d] of now.devices) if (!devices.has(id)) { devices.set(id, d); added.devices.push(id); }
  return added;
}

/** The one-line summary of a policy, or "" when it is not registered. */
export function policySummary(registry: Registry, id: string): string {
  return registry.plugins.policies.get(id)?.meta.summary ?? "";
}
