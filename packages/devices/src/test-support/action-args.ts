/**
 * A {@link DeviceActionArgs} for unit tests: resolves raw action fields against a kernel and a
 * table of bound names, as the scenario runner does for `device` steps.
 */
import { DeviceArgError, parseSize, parseTime, type DeviceActionArgs, type Inode, type Kernel, type Process } from "@pinlab/core";

/** Action fields resolved against `kernel` and the addresses bound so far (`as:` of mmap steps). */
export class TestActionArgs implements DeviceActionArgs {
  /** Wrap raw fields. */
  constructor(
    private readonly kernel: Kernel,
    /** The raw fields. */
    readonly raw: Readonly<Record<string, unknown>>,
    private readonly bindings: ReadonlyMap<string, number>,
  ) {}

  /** @inheritDoc */
  has(field: string): boolean {
    return this.raw[field] !== undefined;
  }

  /** @inheritDoc */
  proc(field: string): Process {
    const p = this.kernel.findProcess(this.str(field));
    if (p === undefined) throw new DeviceArgError(field, `${field}: no process named "${String(this.raw[field])}"`);
    return p;
  }

  /** @inheritDoc */
  addr(field: string): number {
    const v = this.raw[field];
    if (typeof v === "number") return v;
    const m = /^([A-Za-z_][A-Za-z0-9_.-]*)(?:\s*\+\s*(\S+))?$/.exec(this.str(field));
    const base = m === null ? undefined : this.bindings.get(m[1]);
    if (m === null || base === undefined) throw new DeviceArgError(field, `${field}: "${String(v)}" is not a bound address`);
    if (m[2] === undefined) return base;
    const off = parseSize(m[2]);
    if (!off.ok) throw new DeviceArgError(field, `${field}: ${off.message}`);
    return base + off.value;
  }

  /** @inheritDoc */
  size(field: string, fallback?: number): number {
    if (!this.has(field) && fallback !== undefined) return fallback;
    const r = parseSize(this.raw[field]);
    if (!r.ok) throw new DeviceArgError(field, `${field}: ${r.message}`);
    return r.value;
  }

  /** @inheritDoc */
  time(field: string, fallback?: number): number {
    if (!this.has(field) && fallback !== undefined) return fallback;
    const r = parseTime(this.raw[field]);
    if (!r.ok) throw new DeviceArgError(field, `${field}: ${r.message}`);
    return r.value;
  }

  /** @inheritDoc */
  file(field: string): Inode {
    const f = this.kernel.files.get(this.str(field));
    if (f === undefined) throw new DeviceArgError(field, `${field}: no file named "${String(this.raw[field])}"`);
    return f;
  }

  /** @inheritDoc */
  string(field: string, fallback?: string): string {
    if (!this.has(field) && fallback !== undefined) return fallback;
    return this.str(field);
  }

  /** @inheritDoc */
  bool(field: string, fallback?: boolean): boolean {
    const v = this.raw[field];
    if (v === undefined && fallback !== undefined) return fallback;
    if (typeof v !== "boolean") throw new DeviceArgError(field, `${field}: expected true or false`);
    return v;
  }

  /** @inheritDoc */
  list(field: string): string[] {
    const v = this.raw[field];
    if (v === undefined) return [];
    if (!Array.isArray(v) || v.some((x) => typeof x !== "string")) throw new DeviceArgError(field, `${field}: expected a list of names`);
    return v as string[];
  }

  private str(field: string): string {
    const v = this.raw[field];
    if (typeof v !== "string") throw new DeviceArgError(field, `${field}: expected a string, got ${JSON.stringify(v)}`);
    return v;
  }
}
