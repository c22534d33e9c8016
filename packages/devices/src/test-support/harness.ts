/**
 * A small driver for device unit tests: a test kernel with this package's devices registered,
 * processes and mappings by name, and `act()` to run a device action the way a `device` scenario
 * step would (core checks the fields against the action's schema and resolves the names first).
 */
import {
  attachDevice, createKernel, doMmap, kernelActionRefs, PAGE_SIZE, VM_READ, VM_WRITE,
  type Device, type DeviceActionResult, type KernelConfigInput, type KernelEvent, type KernelEventType, type KernelInstance, type Process,
} from "@pinlab/core";
import { testContainer } from "@pinlab/core/testing";
import type { DependencyContainer } from "tsyringe";
import { register } from "../index.js";

/** Options of a harness. */
export interface HarnessOptions {
  /** Kernel config overrides (machine, policyOptions...). */
  readonly kernel?: Partial<KernelConfigInput>;
  /** Extra registrations to run on the container (an out-of-tree plugin's `register`). */
  readonly plugins?: ReadonlyArray<(container: DependencyContainer) => void>;
}

/** A kernel with devices attached and names bound, for tests. */
export class Harness {
  /** The kernel instance. */
  readonly inst: KernelInstance;
  /** Addresses bound by name (mmap results). */
  readonly bindings = new Map<string, number>();

  /** Build a test kernel whose container has this package's devices (and `extra`) registered. */
  constructor(opts: HarnessOptions = {}) {
    const c = testContainer();
    register(c);
    for (const plug of opts.plugins ?? []) plug(c);
    this.inst = createKernel({ machine: { memory: "64MiB" }, policy: "test-exact", ...opts.kernel }, { container: c });
  }

  /** Attach a device. */
  attach(name: string, kind: string, options: Record<string, unknown> = {}): Device {
    return attachDevice(this.inst, { name, kind, options });
  }

  /** Spawn a process. */
  spawn(name: string, memlock?: number): Process {
    return this.inst.kernel.spawn(name, memlock === undefined ? {} : { memlock });
  }

  /** mmap anonymous private read-write memory of `pages` pages and bind it to `as`. */
  mmapAnon(proc: Process, as: string, pages: number): number {
    const a = doMmap(this.inst.kernel, proc, { length: pages * PAGE_SIZE, prot: VM_READ | VM_WRITE, shared: false, anonymous: true });
    if (a < 0) throw new Error(`mmap failed: ${a}`);
    this.bindings.set(as, a);
    return a;
  }

  /** mmap a file MAP_SHARED (or private) read-write and bind it to `as`. */
  mmapFile(proc: Process, as: string, file: string, pages: number, shared = true): number {
    const inode = this.inst.kernel.file(file);
    const a = doMmap(this.inst.kernel, proc, { length: pages * PAGE_SIZE, prot: VM_READ | VM_WRITE, shared, anonymous: false, file: inode, offset: 0 });
    if (a < 0) throw new Error(`mmap failed: ${a}`);
    this.bindings.set(as, a);
    return a;
  }

  /** Run `action` on device `name` with raw fields, as a scenario step would; names resolve against {@link Harness.bindings}. */
  act(name: string, action: string, raw: Record<string, unknown>, as?: string): DeviceActionResult {
    const dev = this.inst.devices.get(name);
    if (dev === undefined) throw new Error(`no device "${name}"`);
    return dev.perform({ action, fields: raw, refs: kernelActionRefs(this.inst.kernel, this.bindings), ...(as !== undefined ? { as } : {}) });
  }
}

/** Collect every event of `type` emitted from now on. */
export function collect<K extends KernelEventType>(inst: KernelInstance, type: K): KernelEvent<K>[] {
  const out: KernelEvent<K>[] = [];
  inst.kernel.events.on(type, (e) => out.push(e));
  return out;
}

/** GUP references outstanding on every frame, by family (0 and 0 when nothing is held). */
export function outstanding(inst: KernelInstance): { get: number; pin: number } {
  let get = 0;
  let pin = 0;
  for (let i = 0; i < inst.gup.pinRefs.length; i++) {
    get += inst.gup.getRefs[i];
    pin += inst.gup.pinRefs[i];
  }
  return { get, pin };
}

/** The frame `proc` maps at `addr`, or -1. */
export function frameAt(proc: Process, addr: number): number {
  return proc.mm!.pageTable.pfn(Math.floor(addr / PAGE_SIZE));
}
