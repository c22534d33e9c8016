/**
 * What the fuzzer can reach, read from the registries: the policies, and every device kind with
 * its options and actions (from the plugin's `meta`), so a device loaded with `--plugin` is fuzzed
 * like the built-in ones.
 * @module
 */
import type { PluginView } from "@pinlab/core";
import { objectFields, type FieldInfo } from "./field-kinds.js";

/** One action of a device, as the generator sees it. */
export interface FuzzAction {
  /** The action's name. */
  readonly name: string;
  /** Its fields. */
  readonly fields: readonly FieldInfo[];
  /** What it releases (`meta.actions[name].releases`): a field naming what `as:` bound, or everything. */
  readonly releases?: string | true;
  /** True when it creates something a later call names: it takes no name field itself (reg_mr, an IO). */
  readonly creates: boolean;
}

/** One device kind. */
export interface FuzzDevice {
  /** The kind (plugin id). */
  readonly kind: string;
  /** Its options. */
  readonly options: readonly FieldInfo[];
  /** Its actions. */
  readonly actions: readonly FuzzAction[];
}

/** Everything registered that a generated scenario may use. */
export interface FuzzTargets {
  /** Policy ids, in registration order. */
  readonly policies: readonly string[];
  /** Each policy's options (from its `meta.options`), by id. */
  readonly policyOptions: ReadonlyMap<string, readonly FieldInfo[]>;
  /** Device kinds. */
  readonly devices: readonly FuzzDevice[];
}

/** The targets of the plugins in `view`. */
export function fuzzTargets(view: PluginView): FuzzTargets {
  const devices: FuzzDevice[] = [];
  for (const [kind, d] of view.devices) {
    const actions: FuzzAction[] = Object.entries(d.meta.actions).map(([name, spec]) => {
      const fields = objectFields(spec.fields);
      return {
        name, fields, creates: !fields.some((f) => f.type.kind === "name"),
        ...(spec.releases !== undefined ? { releases: spec.releases } : {}),
      };
    });
    devices.push({ kind, options: objectFields(d.meta.options), actions });
  }
  const policyOptions = new Map([...view.policies].map(([id, p]) => [id, objectFields(p.meta.options)]));
  return { policies: [...view.policies.keys()], policyOptions, devices };
}
