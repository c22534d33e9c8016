/**
 * Building a plugin instance from its registered descriptor, the same way for both kinds:
 * find the descriptor by id (an unknown id lists the registered ones), parse the options with its
 * schema (each bad field named), call `create` with the context the caller builds from the parsed
 * options, and check that what came back is an instance of the kind (else it is a bug in the
 * plugin). `createKernel` does it for the policy, `attachDevice` for each device.
 * @module
 */
import type { DependencyContainer } from "tsyringe";
import type { DeviceContext, DeviceDescriptor, DeviceInstance } from "../device/device-plugin.js";
import type { PinPolicy, PinPolicyDescriptor, PolicyContext } from "../policy/pin-policy.js";
import { formatZodIssues } from "../config/format-issues.js";
import { PluginContractError, PluginOptionsError, UnknownPluginError } from "./plugin-errors.js";
import { listDevices, listPolicies, pluginSource } from "./registry.js";

/** What instantiating a plugin of each kind takes and gives. */
export interface PluginKinds {
  /** A pin policy: one per kernel instance. */
  readonly policy: { readonly descriptor: PinPolicyDescriptor; readonly context: PolicyContext<unknown>; readonly instance: PinPolicy };
  /** A device: one per attached device name. */
  readonly device: { readonly descriptor: DeviceDescriptor; readonly context: DeviceContext<unknown>; readonly instance: DeviceInstance };
}

/** `"policy"` or `"device"`. */
export type PluginKind = keyof PluginKinds;

/** The parts of the rules that differ between the kinds: where descriptors are, and how messages name things. */
interface KindRules<P extends PluginKinds[PluginKind]> {
  /** The registered descriptors. */
  list(registry: DependencyContainer): readonly P["descriptor"][];
  /** The message for an id nobody registered; `known` is sorted and may be empty. */
  unknown(id: string, known: readonly string[]): string;
  /** Where options come from in a config (`policyOptions`, `options`). */
  readonly optionsField: string;
  /** How messages name the instance, with the plugin's source when given: `policy "pin-bias"`, `device "hca0" (rdma-mr, @pinlab/devices)`. */
  label(id: string, name: string | undefined, source?: string): string;
  /** True when `x` is an instance of the kind, as `descriptor` made it. */
  isInstance(x: unknown, descriptor: P["descriptor"]): x is P["instance"];
  /** What an instance of `descriptor` is, for messages: `a PinPolicy`. */
  shape(descriptor: P["descriptor"]): string;
  /** Call the descriptor's `create`. */
  create(descriptor: P["descriptor"], context: P["context"]): unknown;
}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null;

/** The actions of `d` that `handlers` has no function for. */
function missingHandlers(handlers: Record<string, unknown>, d: DeviceDescriptor): string[] {
  return Object.keys(d.meta.actions).filter((name) => typeof handlers[name] !== "function");
}

const RULES: { readonly [K in PluginKind]: KindRules<PluginKinds[K]> } = {
  policy: {
    list: listPolicies,
    unknown: (id, known) => (known.length === 0
      ? "no pin policies are registered; call register() from @pinlab/policies on the container first"
      : `unknown policy "${id}"; registered policies: ${known.join(", ")}`),
    optionsField: "policyOptions",
    label: (id, _name, source) => `policy "${id}"${source === undefined ? "" : ` (${source})`}`,
    isInstance: (x): x is PinPolicy => isObject(x) && typeof x.grab === "function",
    shape: () => "a PinPolicy",
    create: (d, ctx) => d.create(ctx),
  },
  device: {
    list: listDevices,
    unknown: (id, known) => (known.length === 0
      ? `unknown device kind "${id}": no device plugins are registered`
      : `unknown device kind "${id}"; registered kinds: ${known.join(", ")}`),
    optionsField: "options",
    label: (id, name, source) => `device "${name ?? id}" (${id}${source === undefined ? "" : `, ${source}`})`,
    isInstance: (x, d): x is DeviceInstance => isObject(x) && typeof x.view === "function" && isObject(x.actions) && missingHandlers(x.actions, d).length === 0,
    shape: (d) => `a DeviceInstance: { actions: a handler for each of ${Object.keys(d.meta.actions).join(", ")}; view() }`,
    create: (d, ctx) => d.create(ctx),
  },
};

/**
 * Instantiate the `kind` plugin registered in `registry` under `id` with `options`: parse them with
 * its schema and build it with the context `context(parsedOptions)` makes. `name` is the
 * instance's name where it has one (a device's). Throws {@link UnknownPluginError} for an id no
 * plugin registered, {@link PluginOptionsError} naming each bad option field, and
 * {@link PluginContractError} when `create()` returns something that is not an instance.
 */
export function instantiatePlugin<K extends PluginKind>(
  kind: K, registry: DependencyContainer, id: string, options: unknown, context: (options: unknown, descriptor: PluginKinds[K]["descriptor"]) => PluginKinds[K]["context"], name?: string,
): { readonly descriptor: PluginKinds[K]["descriptor"]; readonly instance: PluginKinds[K]["instance"] } {
  const rules: KindRules<PluginKinds[K]> = RULES[kind];
  const descriptors = rules.list(registry);
  const descriptor = descriptors.find((d) => d.meta.id === id);
  if (descriptor === undefined) throw new UnknownPluginError(rules.unknown(id, descriptors.map((d) => d.meta.id).sort()));
  const parsed = descriptor.meta.options.safeParse(options);
  if (!parsed.success) {
    const issues = formatZodIssues(parsed.error.issues, { prefix: rules.optionsField });
    throw new PluginOptionsError(`bad options for ${rules.label(id, name)}:\n  ${issues.join("\n  ")}`);
  }
  const instance = rules.create(descriptor, context(parsed.data, descriptor));
  if (!rules.isInstance(instance, descriptor)) {
    const what = `create() returned ${instance === null ? "null" : typeof instance}, not ${rules.shape(descriptor)}`;
    throw new PluginContractError(`${rules.label(id, name, pluginSource(descriptor))}: ${what}: a bug in the ${kind} plugin`);
  }
  return { descriptor, instance };
}
