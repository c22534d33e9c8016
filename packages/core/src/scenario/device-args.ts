import { DeviceArgError, type DeviceActionArgs } from "../device/device-plugin.js";
import { KernelError } from "../errno.js";
import type { Inode } from "../fs/inode.js";
import type { Kernel } from "../kernel/kernel.js";
import type { Process } from "../mm/process.js";
import { parseSize, parseTime } from "../sim/units.js";
import type { Bindings } from "./bindings.js";

/** Build the typed accessors a device action receives, resolving names through the run's bindings. */
export function makeActionArgs(raw: Readonly<Record<string, unknown>>, k: Kernel, bindings: Bindings): DeviceActionArgs {
  const need = (field: string): unknown => {
    const v = raw[field];
    if (v === undefined) throw new DeviceArgError(field, `missing field "${field}"`);
    return v;
  };
  return {
    raw,
    has: (field) => raw[field] !== undefined,
    proc(field): Process {
      const v = need(field);
      if (typeof v !== "string") throw new DeviceArgError(field, "expected a process name");
      try {
        return k.process(v);
      } catch (e) {
        if (e instanceof KernelError) throw new DeviceArgError(field, e.message);
        throw e;
      }
    },
    addr(field): number {
      try {
        return bindings.addr(need(field), field);
      } catch (e) {
        throw e instanceof DeviceArgError ? e : new DeviceArgError(field, (e as Error).message);
      }
    },
    size(field, fallback): number {
      const v = raw[field];
      if (v === undefined) {
        if (fallback !== undefined) return fallback;
        throw new DeviceArgError(field, `missing field "${field}"`);
      }
      const r = parseSize(v);
      if (!r.ok) throw new DeviceArgError(field, r.message);
      return r.value;
    },
    time(field, fallback): number {
      const v = raw[field];
      if (v === undefined) {
        if (fallback !== undefined) return fallback;
        throw new DeviceArgError(field, `missing field "${field}"`);
      }
      const r = parseTime(v);
      if (!r.ok) throw new DeviceArgError(field, r.message);
      return r.value;
    },
    file(field): Inode {
      const v = need(field);
      if (typeof v !== "string") throw new DeviceArgError(field, "expected a file name");
      const f = k.files.get(v);
      if (f === undefined || f.internal) throw new DeviceArgError(field, `unknown file "${v}"`);
      return f;
    },
    string(field, fallback): string {
      const v = raw[field];
      if (v === undefined) {
        if (fallback !== undefined) return fallback;
        throw new DeviceArgError(field, `missing field "${field}"`);
      }
      if (typeof v !== "string") throw new DeviceArgError(field, "expected a string");
      return v;
    },
    bool(field, fallback): boolean {
      const v = raw[field];
      if (v === undefined) {
        if (fallback !== undefined) return fallback;
        throw new DeviceArgError(field, `missing field "${field}"`);
      }
      if (typeof v !== "boolean") throw new DeviceArgError(field, "expected true or false");
      return v;
    },
    list(field): string[] {
      const v = raw[field];
      if (v === undefined) return [];
      if (!Array.isArray(v) || v.some((x) => typeof x !== "string")) throw new DeviceArgError(field, "expected a list of strings");
      return v as string[];
    },
  };
}
