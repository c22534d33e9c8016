/**
 * Contributing plugins to the extension points. A plugin package's `register(container)` calls
 * these; two plugins claiming one id is an error naming both packages (the VS Code
 * instantiation-service rule: duplicates are rejected loudly).
 * @module
 */
import type { DependencyContainer } from "tsyringe";
import type { DeviceDescriptor } from "../device/device-plugin.js";
import type { PinPolicyDescriptor } from "../policy/pin-policy.js";
import { resolveAll, type Token } from "../di/tokens.js";
import { DEVICE_PLUGIN } from "../device/device-plugin.js";
import { PIN_POLICY, PolicyCapabilitiesSchema } from "../policy/pin-policy.js";
import { formatZodIssues } from "../config/format-issues.js";
import { isPluginId } from "../di/plugin-id.js";
import { PluginRegistrationError } from "./plugin-errors.js";

/** A plugin that was registered, with the package it came from. */
interface Provenance {
  readonly source: string;
}

const SOURCES = new WeakMap<object, Provenance>();

/** The package (or path) a registered descriptor came from. */
export function pluginSource(descriptor: object): string {
  return SOURCES.get(descriptor)?.source ?? "(unknown)";
}

function contribute<T extends { meta: { id: string } }>(container: DependencyContainer, token: Token<T>, kind: string, descriptor: T, source: string): void {
  if (descriptor === null || typeof descriptor !== "object" || typeof descriptor.meta?.id !== "string") {
    throw new PluginRegistrationError(`${source}: a ${kind} descriptor must be an object with meta.id (use define${kind === "policy" ? "PinPolicy" : "Device"}())`);
  }
  if (typeof (descriptor as { create?: unknown }).create !== "function") {
    throw new PluginRegistrationError(`${source}: ${kind} "${descriptor.meta.id}" has no create() function`);
  }
  const metaProblem = checkMeta(kind, descriptor.meta as unknown as Record<string, unknown>);
  if (metaProblem !== undefined) throw new PluginRegistrationError(`${source}: ${kind} "${descriptor.meta.id}": ${metaProblem}`);
  const clash = resolveAll(container, token).find((d) => d.meta.id === descriptor.meta.id);
  if (clash !== undefined) {
    throw new PluginRegistrationError(
      `${kind} id "${descriptor.meta.id}" is claimed twice: by ${pluginSource(clash)} and by ${source}. Rename one of them.`,
    );
  }
  SOURCES.set(descriptor, { source });
  container.register(token as symbol, { useValue: descriptor });
}

const isSchema = (x: unknown): boolean => typeof (x as { safeParse?: unknown } | null)?.safeParse === "function";

/** What is wrong with a descriptor's metadata, if anything: the parts pinlab reads everywhere (list, schema, runs). */
function checkMeta(kind: string, meta: Record<string, unknown>): string | undefined {
  if (typeof meta.id !== "string" || !isPluginId(meta.id)) return "meta.id must be lower-case kebab-case ([a-z][a-z0-9-]*)";
  if (typeof meta.summary !== "string") return "meta.summary must be a string";
  if (!isSchema(meta.options)) return "meta.options must be a zod schema (z.object({...}).strict() for no options)";
  if (kind === "policy") {
    if (typeof meta.kernel !== "string") return "meta.kernel must be a string naming the kernel it follows";
    const caps = PolicyCapabilitiesSchema.safeParse(meta.capabilities);
    if (!caps.success) return `${formatZodIssues(caps.error.issues, { prefix: "meta.capabilities" }).join("; ")} (declare { filePins, extraAtomicsPerPin, extraAtomicsPerUnpin })`;
  }
  if (kind === "device") {
    if (typeof meta.driver !== "string") return "meta.driver must be a string naming the driver it reproduces";
    const actions = meta.actions;
    if (actions === null || typeof actions !== "object") return "meta.actions must be an object of actions";
    for (const [name, spec] of Object.entries(actions)) {
      if (!isSchema((spec as { fields?: unknown } | null)?.fields)) return `meta.actions.${name}.fields must be a zod object schema`;
    }
  }
  return undefined;
}

/** Contribute a pin-policy descriptor under {@link PIN_POLICY}. `source` names the package or file. */
export function registerPinPolicy(container: DependencyContainer, descriptor: PinPolicyDescriptor, source: string): void {
  contribute(container, PIN_POLICY, "policy", descriptor, source);
}

/** Contribute a device descriptor under {@link DEVICE_PLUGIN}. `source` names the package or file. */
export function registerDevice(container: DependencyContainer, descriptor: DeviceDescriptor, source: string): void {
  contribute(container, DEVICE_PLUGIN, "device", descriptor, source);
}

/** Every registered policy descriptor. */
export function listPolicies(container: DependencyContainer): PinPolicyDescriptor[] {
  return resolveAll(container, PIN_POLICY);
}

/** Every registered device descriptor. */
export function listDevices(container: DependencyContainer): DeviceDescriptor[] {
  return resolveAll(container, DEVICE_PLUGIN);
}
