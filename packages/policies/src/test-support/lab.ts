/**
 * Test support: build a kernel under one of this package's policies and drive it with short
 * calls. Not part of the published package (excluded from the build).
 * @module
 */
import {
  HPAGE_PMD_NR, HPAGE_PMD_SIZE, PAGE_SIZE, VM_HUGEPAGE, VM_READ, VM_WRITE, createKernel, doMmap, touchRange, type Inode, type KernelConfigInput, type KernelEvent,
  type KernelInstance, type MachineConfigSchema, type Process,
} from "@pinlab/core";
import { expectConsistent } from "@pinlab/core/testing";
import { container, type DependencyContainer } from "tsyringe";
import type { z } from "zod";
import { policies, register, type PolicyId } from "../index.js";

/** Every policy id of the registry, in its order (the order the tables list them). */
export const POLICY_IDS = Object.keys(policies) as PolicyId[];

/** A fresh container with this package's policies registered. */
export function policyContainer(): DependencyContainer {
  const c = container.createChildContainer();
  register(c);
  return c;
}

/** Build a kernel under `policy` (swapping policies is this one word). */
export function policyKernel(
  policy: string, policyOptions: Record<string, unknown> = {}, machine: z.input<typeof MachineConfigSchema> = { memory: "64MiB" },
  extra: Partial<KernelConfigInput> = {},
): KernelInstance {
  return createKernel({ machine, policy, policyOptions, ...extra }, { container: policyContainer() });
}

/** Mapping options of {@link Lab.map}. */
export interface MapOptions {
  /** MAP_SHARED. */
  readonly shared?: boolean;
  /** PROT_WRITE (default true). */
  readonly write?: boolean;
  /** The file (else anonymous). */
  readonly file?: Inode;
  /** Byte offset in the file. */
  readonly offset?: number;
  /** MAP_HUGETLB. */
  readonly hugetlb?: boolean;
  /** A fixed address. */
  readonly addr?: number;
}

/** A kernel instance with helpers that fail loudly, so table rows stay short. */
export class Lab {
  /** Every `gup` event so far, in order. */
  readonly gupEvents: KernelEvent<"gup">[] = [];
  /** Every `lease` event so far, in order. */
  readonly leaseEvents: KernelEvent<"lease">[] = [];

  /** Wrap a kernel instance. */
  constructor(readonly inst: KernelInstance) {
    inst.kernel.events.on("gup", (e) => this.gupEvents.push(e));
    inst.kernel.events.on("lease", (e) => this.leaseEvents.push(e));
  }

  /** The last `gup` event. */
  get lastGup(): KernelEvent<"gup"> {
    const e = this.gupEvents.at(-1);
    if (e === undefined) throw new Error("no gup event yet");
    return e;
  }

  /** The kernel. */
  get k() {
    return this.inst.kernel;
  }

  /** The GUP API. */
  get gup() {
    return this.inst.gup;
  }

  /** The active policy. */
  get policy() {
    return this.inst.kernel.policy;
  }

  /** Spawn a process. */
  spawn(name: string): Process {
    return this.k.spawn(name);
  }

  /** mmap `pages` pages; throws on error. */
  map(p: Process, pages: number, o: MapOptions = {}): number {
    const prot = VM_READ | ((o.write ?? true) ? VM_WRITE : 0);
    const a = doMmap(this.k, p, {
      length: pages * PAGE_SIZE, prot, shared: o.shared ?? false, anonymous: o.file === undefined, file: o.file, offset: o.offset,
      hugetlb: o.hugetlb, addr: o.addr,
    });
    if (a < 0) throw new Error(`mmap failed: ${a}`);
    return a;
  }

  /** Fault `pages` pages in at `addr`; throws on error. */
  touch(p: Process, addr: number, pages: number, write: boolean): void {
    const r = touchRange(this.k, p, addr, pages * PAGE_SIZE, write);
    if (r < 0) throw new Error(`touch failed: ${r}`);
  }

  /** The frame mapped at `addr` in `p` (-1 when none). */
  pfnAt(p: Process, addr: number): number {
    return p.mm!.pageTable.pfn(addr / PAGE_SIZE);
  }

  /** Fail the test when the invariant checker finds anything. */
  check(): void {
    expectConsistent(this.inst);
  }
}

/** A lab under `policy`. */
export function lab(
  policy: string, policyOptions: Record<string, unknown> = {}, machine: z.input<typeof MachineConfigSchema> = { memory: "64MiB" },
): Lab {
  return new Lab(policyKernel(policy, policyOptions, machine));
}

/** One column of a row table: a policy, maybe with options. */
export interface Variant {
  /** The column name (the policy id, or id + options). */
  readonly name: string;
  /** The policy id. */
  readonly policy: PolicyId;
  /** Its options. */
  readonly options?: Record<string, unknown>;
}

/** The four policies with default options. */
export const BASE_VARIANTS: readonly Variant[] = POLICY_IDS.map((policy) => ({ name: policy, policy }));

/**
 * The three regions the random-interleaving properties pin from, mapped in `p`: 64 private
 * anonymous pages (the first `anonWritten` written), 64 pages of a shared shmem file (read), and
 * a 2 MiB-aligned THP in a MADV_HUGEPAGE area (written). Returns their base addresses, in that order.
 */
export function pinRegions(l: Lab, p: Process, anonWritten: number): [anon: number, shm: number, thp: number] {
  const anon = l.map(p, 64);
  l.touch(p, anon, anonWritten, true);
  const shm = l.map(p, 64, { shared: true, file: l.k.createFile("shm", "shmem", 64 * PAGE_SIZE) });
  l.touch(p, shm, 64, false);
  const thpArea = l.map(p, 2 * HPAGE_PMD_NR);
  p.mm!.findVma(thpArea)!.flags |= VM_HUGEPAGE;
  const thp = Math.ceil(thpArea / HPAGE_PMD_SIZE) * HPAGE_PMD_SIZE;
  l.touch(p, thp, 1, true);
  return [anon, shm, thp];
}
