/**
 * Driving a device plugin from a workload: an action's fields given as values the workload
 * already holds (numbers for addresses and sizes, names for processes and files), which the
 * device checks with the action's schema and resolves against the kernel before its handler runs.
 * @module
 */
import { attachDevice, type Device, type DeviceActionResult, type KernelInstance } from "@pinlab/core";

/** Action fields: numbers for addresses, sizes and times; names for `proc` and `file`. */
export type ActionFields = Readonly<Record<string, string | number | boolean | readonly string[]>>;

/** A device attached to a kernel, with a one-call way to perform its actions. */
export class DeviceDriver {
  /** The device instance. */
  readonly device: Device;

  /** Attach a device of `kind` named `name` to `inst`. */
  constructor(inst: KernelInstance, name: string, kind: string, options: Readonly<Record<string, unknown>> = {}) {
    this.device = attachDevice(inst, { name, kind, options });
  }

  /** Perform `action` with `fields`; `as` names the result (a region, an IO). */
  perform(action: string, fields: ActionFields, as?: string): DeviceActionResult {
    return this.device.perform({ action, fields, ...(as !== undefined ? { as } : {}) });
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
