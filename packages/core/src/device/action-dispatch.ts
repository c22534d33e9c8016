/**
 * Calling a device plugin's handlers: the one place that goes from an action's name to its
 * handler. A call's fields are checked with the action's schema, the references in them are
 * resolved ({@link ActionRefs}), and the handler receives them typed (`ActionArgs`). A device
 * plugin never dispatches on action names itself.
 * @module
 */
import { issueField } from "../config/format-issues.js";
import { KernelError } from "../errno.js";
import type { KernelContext } from "../kernel/context.js";
import { HEX_ADDR_PATTERN, parseHexAddress, splitAddress } from "../sim/field-schemas.js";
import { ActionRef, type ActionRefKind, type ActionRefs, type ActionRefTargets } from "./action-fields.js";
import { DeviceArgError, type Device, type DeviceActionSite, type DeviceDescriptor, type DeviceInstance } from "./device-plugin.js";

/**
 * References resolved against kernel `k`: processes and files by name, addresses as integers,
 * hexadecimal literals, or `NAME` / `NAME+OFFSET` of `addresses` (what a test or a workload has bound). What the bench
 * and unit tests use; the scenario runner resolves against its own bindings.
 */
export function kernelActionRefs(k: KernelContext, addresses: ReadonlyMap<string, number> = new Map()): ActionRefs {
  return {
    proc: (name) => k.process(name),
    file: (name) => k.file(name),
    addr(value) {
      if (typeof value === "number") return value;
      if (HEX_ADDR_PATTERN.test(value)) {
        const hex = parseHexAddress(value);
        if (typeof hex === "string") throw new Error(hex);
        return hex;
      }
      const split = splitAddress(value);
      if (typeof split === "string") throw new Error(split);
      const base = addresses.get(split.name);
      if (base === undefined) throw new Error(`"${split.name}" is not a bound address`);
      return base + split.offset;
    },
  };
}

const RESOLVE: { readonly [K in ActionRefKind]: (refs: ActionRefs, value: string | number, field: string) => ActionRefTargets[K] } = {
  proc: (refs, value, field) => refs.proc(String(value), field),
  file: (refs, value, field) => refs.file(String(value), field),
  addr: (refs, value, field) => refs.addr(value, field),
};

/** The fields of a call, parsed with `descriptor`'s schema for the action and resolved with `refs`. */
function actionArgs(descriptor: DeviceDescriptor, site: DeviceActionSite, fields: unknown, refs: ActionRefs): Record<string, unknown> {
  const parsed = descriptor.meta.actions[site.action].fields.safeParse(fields);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue.code === "unrecognized_keys" ? [...issue.path, issue.keys[0]] : issue.path;
    throw new DeviceArgError(site, issueField(path, { root: "(fields)" }), issue.message);
  }
  const args: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(parsed.data)) {
    if (!ActionRef.is(value)) {
      args[field] = value;
      continue;
    }
    try {
      args[field] = RESOLVE[value.kind](refs, value.value, field);
    } catch (e) {
      // A kernel answer (a process that does not exist: ENOENT, as touch and gup answer it) is the
      // action's errno, not a mistake in the scenario.
      if (e instanceof KernelError) throw e;
      throw new DeviceArgError(site, field, e instanceof Error ? e.message : String(e));
    }
  }
  return args;
}

/**
 * The attached device named `name`: `instance`'s handlers behind `perform`, each call checked
 * against `descriptor.meta.actions` first. References resolve with the call's `refs`, else
 * `defaultRefs`.
 */
export function bindDevice(name: string, descriptor: DeviceDescriptor, instance: DeviceInstance, defaultRefs: ActionRefs): Device {
  const kind = descriptor.meta.id;
  const actions = descriptor.meta.actions;
  return {
    name,
    kind,
    perform(call) {
      const site: DeviceActionSite = { device: name, kind, action: call.action };
      if (!Object.hasOwn(actions, call.action)) {
        throw new DeviceArgError(site, "action", `${kind} has no action "${call.action}"; expected one of: ${Object.keys(actions).join(", ")}`);
      }
      const args = actionArgs(descriptor, site, call.fields, call.refs ?? defaultRefs);
      return instance.actions[call.action](args, call.as === undefined ? {} : { as: call.as });
    },
    view: () => instance.view(),
  };
}
