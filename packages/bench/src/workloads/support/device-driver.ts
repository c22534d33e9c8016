/**
 * Driving a device plugin from a workload: the action arguments a scenario step would build,
 * made directly from values the workload already holds (numbers for addresses and sizes, names
 * for processes and files), so the timed window holds the device's work and not a scenario
 * parser's.
 * @module
 */
import {
  DeviceArgError, attachDevice, type Device, type DeviceActionArgs, type DeviceActionResult, type Inode, type Kernel,
  type KernelInstance, type Process,
} from "@pinlab/core";

/** Raw action fields: numbers for addresses, sizes and times; names for `proc` and `file`. */
export type ActionFields = Readonly<Record<string, string | number | boolean | readonly string[]>>;

/** {@link DeviceActionArgs} over already-resolved values. */
export function actionArgs(k: Kernel, raw: ActionFields): DeviceActionArgs {
  const get = (field: string) => raw[field];
  const num = (field: string, fallback?: number): number => {
    const v = get(field);
    if (v === undefined && fallback !== undefined) return fallback;
    if (typeof v !== "number") throw new DeviceArgError(field, `${field}: expected a number, got ${JSON.stringify(v)}`);
    return v;
  };
  const str = (field: string, fallback?: string): string => {
    const v = get(field);
    if (v === undefined && fallback !== undefined) return fallback;
    if (typeof v !== "string") throw new DeviceArgError(field, `${field}: expected a string, got ${JSON.stringify(v)}`);
    return v;
  };
  return {
    raw,
    has: (field) => get(field) !== undefined,
    proc: (field): Process => k.process(str(field)),
    addr: (field) => num(field),
    size: (field, fallback) => num(field, fallback),
    time: (field, fallback) => num(field, fallback),
    file: (field): Inode => k.file(str(field)),
    string: (field, fallback) => str(field, fallback),
    bool(field, fallback) {
      const v = get(field);
      if (v === undefined && fallback !== undefined) return fallback;
      if (typeof v !== "boolean") throw new DeviceArgError(field, `${field}: expected true or false, got ${JSON.stringify(v)}`);
      return v;
    },
    list(field) {
      const v = get(field);
      if (v === undefined) return [];
      if (!Array.isArray(v)) throw new DeviceArgError(field, `${field}: expected a list, got ${JSON.stringify(v)}`);
      return [...(v as readonly string[])];
    },
  };
}

/** A device attached to a kernel, with a one-call way to perform its actions. */
export class DeviceDriver {
  /** The device instance. */
  readonly device: Device;

  /** Attach a device of `kind` named `name` to `inst`. */
  constructor(private readonly inst: KernelInstance, name: string, kind: string, options: Readonly<Record<string, unknown>> = {}) {
    this.device = attachDevice(inst, { name, kind, options });
  }

  /** Perform `action` with `fields`; `as` names the result (a region, an IO). */
  perform(action: string, fields: ActionFields, as?: string): DeviceActionResult {
    return this.device.perform({ action, args: actionArgs(this.inst.kernel, fields), ...(as !== undefined ? { as } : {}) });
  }

  /**
   * Perform `action` and turn the result into a kernel-style return: `ok` when it succeeded,
   * else `-errno`.
   */
  call(action: string, fields: ActionFields, ok: number, as?: string): number {
    const r = this.perform(action, fields, as);
    return r.ok ? ok : -r.errno;
  }

  /** A counter of the device's view (0 when it does not keep it). */
  counter(name: string): number {
    return this.device.view().counters[name] ?? 0;
  }
}
