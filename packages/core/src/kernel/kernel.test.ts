/**
 * The kernel object: `createKernel(config)` in its own DI child container, config validation,
 * determinism of the event stream, the event log, one event per bulk call, and the kernel's own
 * lookups (processes, files).
 */
import { describe, expect, it } from "vitest";
import { container } from "tsyringe";
import { EEXIST, EINVAL, ENOENT, KernelError } from "../errno.js";
import { resolve } from "../di/tokens.js";
import { CLOCK } from "../sim/clock.js";
import { EVENTS } from "../events/event-bus.js";
import { GUP } from "../gup/gup.js";
import { KERNEL } from "./context.js";
import { MEMORY } from "../memory/physical-memory.js";
import { NOTIFIERS } from "../notifier/mmu-notifiers.js";
import { FOLL_WRITE } from "../gup/foll-flags.js";
import { doMmap, doMunmap } from "../mm/mmap.js";
import { doFork } from "../mm/fork.js";
import { DEFAULT_UID } from "../mm/user-struct.js";
import { touchRange, userWrite } from "../mm/user-access.js";
import { VM_READ, VM_WRITE } from "../mm/vm-flags.js";
import { writeback } from "../fs/writeback.js";
import { HPAGE_PMD_SIZE, PAGE_SIZE } from "../sim/units.js";
import { testContainer, testKernel } from "../testing/kernel.js";
import { ConfigError, MAX_MACHINE_BYTES, parseKernelConfig, type KernelConfigInput } from "../config/kernel-config.js";
import { createKernel, type KernelInstance } from "../instance/create-kernel.js";
import { PluginOptionsError, UnknownPluginError } from "../plugin/plugin-errors.js";

const RW = VM_READ | VM_WRITE;
const P = PAGE_SIZE;

/** A fixed sequence of operations touching most of the model. */
function workload(inst: KernelInstance): void {
  const k = inst.kernel;
  const p = k.spawn("p");
  const a = doMmap(k, p, { length: 16 * P, prot: RW, shared: false, anonymous: true });
  touchRange(k, p, a, 16 * P, true);
  const file = k.createFile("f", "ext4", 8 * P);
  const b = doMmap(k, p, { length: 8 * P, prot: RW, shared: true, anonymous: false, file });
  userWrite(k, p, b, Uint8Array.of(1, 2, 3));
  const pages: number[] = [];
  inst.gup.pinUserPages(p, a, 4, FOLL_WRITE, pages);
  doFork(k, p, "c");
  writeback(k, file, { async: true });
  k.clock.advance(1_000_000);
  inst.gup.unpinUserPages(pages, 4);
  doMunmap(k, p, a, 8 * P);
}

describe("createKernel", () => {
  it("builds each kernel in its own child container: two kernels share no service and no state", () => {
    const c = testContainer();
    const one = createKernel({ machine: { memory: "8MiB" }, policy: "test-exact" }, { container: c });
    const two = createKernel({ machine: { memory: "8MiB" }, policy: "test-exact" }, { container: c });
    expect(one.container).not.toBe(two.container);
    expect(one.container).not.toBe(c);
    for (const tok of [KERNEL, EVENTS, CLOCK, MEMORY, NOTIFIERS, GUP] as symbol[]) {
      expect(resolve(one.container, tok)).not.toBe(resolve(two.container, tok));
      expect(resolve(one.container, tok)).toBe(resolve(one.container, tok)); // a singleton per kernel
    }
    expect(resolve(one.container, KERNEL)).toBe(one.kernel);
    expect(resolve(one.container, GUP)).toBe(one.gup);
    expect(c.isRegistered(KERNEL)).toBe(false);
    workload(one);
    expect(two.kernel.processes.size).toBe(0);
    expect(two.kernel.memory.nrFree(0)).toBe(two.kernel.memory.zoneFrames(0) - 1);
    expect(two.kernel.events.count).toBe(1); // boot only
    expect(two.kernel.clock.now).toBe(0);
    const p1 = one.kernel.processes.get(1)!;
    const p2 = two.kernel.spawn("p");
    expect(p2.pid).toBe(1);
    expect(p2.mm).not.toBe(p1.mm);
  });

  it("emits boot first, with the machine, the policy and the seed", () => {
    const inst = testKernel({ machine: { memory: "4MiB", movable: "1MiB" }, seed: 7, keepEventLog: true });
    expect(inst.kernel.events.events[0]).toMatchObject({
      type: "boot", seq: 0, t: 0, frames: 1280, zones: { normal: 1024, movable: 256, cma: 0, pmem: 0 }, policy: "test-exact", seed: 7,
    });
  });

  it("same config, seed and operations give the same events hash; a different seed or operation does not", () => {
    const run = (cfg: Partial<KernelConfigInput>, extra = false) => {
      const inst = testKernel({ machine: { memory: "16MiB" }, ...cfg });
      workload(inst);
      if (extra) inst.kernel.spawn("extra");
      return inst.kernel.events.hash();
    };
    const h = run({ seed: 3 });
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(run({ seed: 3 })).toBe(h);
    expect(run({ seed: 3, keepEventLog: true })).toBe(h);
    expect(run({ seed: 4 })).not.toBe(h);
    expect(run({ seed: 3 }, true)).not.toBe(h);
  });

  it("keeps the event log only when asked; count and hash work either way", () => {
    const off = testKernel();
    const on = testKernel({ keepEventLog: true });
    workload(off);
    workload(on);
    expect(off.kernel.events.events).toEqual([]);
    expect(on.kernel.events.events.length).toBe(on.kernel.events.count);
    expect(off.kernel.events.count).toBe(on.kernel.events.count);
    expect(on.kernel.events.events.map((e) => e.seq)).toEqual([...Array(on.kernel.events.count).keys()]);
  });

  it("bulk operations emit one event per call", () => {
    const inst = testKernel({ keepEventLog: true });
    const k = inst.kernel;
    const p = k.spawn("p");
    const types = (fn: () => void) => {
      const n = k.events.count;
      fn();
      return k.events.events.slice(n).map((e) => e.type);
    };
    let a = 0;
    expect(types(() => (a = doMmap(k, p, { length: 64 * P, prot: RW, shared: false, anonymous: true })))).toEqual(["mmap"]);
    expect(types(() => touchRange(k, p, a, 64 * P, true))).toEqual(["fault"]);
    expect(types(() => touchRange(k, p, a, 64 * P, true))).toEqual([]); // nothing faulted: no event
    expect(types(() => doMmap(k, p, { length: 64 * P, prot: RW, shared: false, anonymous: true, populate: true }))).toEqual(["mmap", "fault"]);
    const pages: number[] = [];
    expect(types(() => inst.gup.pinUserPages(p, a, 64, FOLL_WRITE, pages))).toEqual(["gup"]);
    expect(types(() => inst.gup.unpinUserPages(pages, 64))).toEqual(["release"]);
    expect(types(() => doMunmap(k, p, a, 64 * P))).toEqual(["munmap"]);
    expect(k.events.events.filter((e) => e.type === "fault")[0]).toMatchObject({ pages: 64, counts: { anon: 64 } });
  });

  it("names the registered policies when the config names an unknown one", () => {
    expect(() => createKernel({ machine: { memory: "4MiB" }, policy: "nope" }, { container: testContainer() })).toThrow(
      new UnknownPluginError('unknown policy "nope"; registered policies: test-exact'),
    );
    expect(() => createKernel({ machine: { memory: "4MiB" }, policy: "nope" }, { container: container.createChildContainer() })).toThrow(
      /no pin policies are registered/,
    );
  });

  it("validates the policy's options against its schema", () => {
    expect(() => testKernel({ policyOptions: { forkCopy: "yes" } })).toThrow(/bad options for policy "test-exact":\n {2}policyOptions.forkCopy/);
    expect(() => testKernel({ policyOptions: { other: 1 } })).toThrow(PluginOptionsError);
    expect(() => testKernel({ policyOptions: { other: 1 } })).toThrow('bad options for policy "test-exact":\n  policyOptions: Unrecognized key: "other"');
  });

  it("checks its own invariants through the instance", () => {
    const inst = testKernel();
    workload(inst);
    expect(inst.check()).toEqual([]);
  });
});

describe("kernel config", () => {
  it("fills defaults and parses sizes and times", () => {
    const c = parseKernelConfig({ machine: { memory: "2MiB", pmem: 8192 }, writebackLatency: "2ms" });
    expect(c).toMatchObject({
      machine: { memory: 2 * 1024 * 1024, movable: 0, cma: 0, pmem: 8192 }, seed: 1, policy: "pin-bias", policyOptions: {},
      writebackLatency: 2_000_000, pinnedWriteback: "ignore", checkInvariants: false, keepEventLog: false,
    });
    expect(c.machine.memlock).toBeUndefined();
  });

  it.each([
    ["an unknown top-level field", { machine: { memory: "1MiB" }, memroy: 1 }, /^memroy: unknown field/],
    ["an unknown machine field", { machine: { memory: "1MiB", nodes: 2 } }, /^machine\.nodes: unknown field/],
    ["a bad size unit", { machine: { memory: "64MB" } }, /^machine\.memory: unknown size unit "MB"/],
    ["a negative size", { machine: { memory: -5 } }, /^machine\.memory: expected a non-negative whole number of bytes, got -5$/],
    ["a negative size string", { machine: { memory: "1MiB", cma: "-1MiB" } }, /^machine\.cma: expected a size/],
    ["memory below 1MiB", { machine: { memory: "512KiB" } }, /^machine\.memory: .*at least 1MiB/],
    ["memory above the limit", { machine: { memory: "300GiB" } }, /^machine\.memory: .*at most 256GiB/],
    ["pmem pushing the machine over the limit", { machine: { memory: "1MiB", pmem: "256GiB" } }, /^machine\.pmem: .*at most 256GiB/],
    ["a missing machine", {}, /^machine: /],
    ["a bad time", { machine: { memory: "1MiB" }, writebackLatency: "-5us" }, /^writebackLatency: expected a time/],
    ["an unknown writeback action", { machine: { memory: "1MiB" }, pinnedWriteback: "nope" }, /^pinnedWriteback: /],
    ["a fractional seed", { machine: { memory: "1MiB" }, seed: 1.5 }, /^seed: /],
  ])("refuses %s with a ConfigError naming the field", (_d, cfg, re) => {
    let err: unknown;
    try {
      parseKernelConfig(cfg);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const issues = (err as ConfigError).issues;
    expect(issues.length).toBeGreaterThanOrEqual(1);
    expect(issues[0]).toMatch(re);
    expect((err as ConfigError).message).toContain(issues[0]);
    // createKernel validates the same way.
    expect(() => createKernel(cfg as KernelConfigInput, { container: testContainer() })).toThrow(ConfigError);
  });

  it("accepts a machine of exactly 256GiB in all zones", () => {
    expect(() => parseKernelConfig({ machine: { memory: "128GiB", movable: "64GiB", cma: "32GiB", pmem: "32GiB" } })).not.toThrow();
    expect(MAX_MACHINE_BYTES).toBe(256 * 1024 ** 3);
  });
});

describe("kernel lookups", () => {
  it("finds processes and files by name and refuses unknown ones with ENOENT", () => {
    const { kernel: k } = testKernel();
    const p = k.spawn("p");
    expect(k.process("p")).toBe(p);
    expect(k.findProcess("q")).toBeUndefined();
    expect(() => k.process("q")).toThrow(KernelError);
    expect(() => k.process("q")).toThrow(expect.objectContaining({ errno: ENOENT, message: 'ENOENT: no process named "q"' }));
    const f = k.createFile("f", "shmem", P);
    expect(k.file("f")).toBe(f);
    expect(() => k.file("g")).toThrow(expect.objectContaining({ errno: ENOENT, errnoName: "ENOENT" }));
  });

  it("refuses duplicate names with EEXIST", () => {
    const { kernel: k } = testKernel();
    k.spawn("p");
    k.createFile("f", "ext4", 0);
    expect(() => k.spawn("p")).toThrow(expect.objectContaining({ errno: EEXIST }));
    expect(() => k.createFile("f", "ext4", 0)).toThrow(expect.objectContaining({ errno: EEXIST }));
  });

  it.each([
    ["an unknown filesystem", "xfs", P],
    ["a negative size", "ext4", -1],
    ["a fractional size", "ext4", 1.5],
    ["a size past the 16TiB file limit", "ext4", 2 ** 44 + P],
    ["a hugetlbfs size that is not a multiple of 2MiB", "hugetlbfs", P],
  ])("refuses to create a file with %s (EINVAL)", (_d, fs, size) => {
    const { kernel: k } = testKernel();
    expect(() => k.createFile("f", fs as "ext4", size)).toThrow(expect.objectContaining({ errno: EINVAL }));
    expect(k.files.size).toBe(0);
  });

  it("accepts a hugetlbfs file of whole huge pages and an empty file", () => {
    const { kernel: k } = testKernel();
    expect(k.createFile("h", "hugetlbfs", 2 * HPAGE_PMD_SIZE).sizePages).toBe(1024);
    expect(k.createFile("e", "ext4", 0).sizePages).toBe(0);
  });

  it("gives a spawned process the configured RLIMIT_MEMLOCK unless told otherwise, and refuses a negative one", () => {
    const { kernel: k } = testKernel({ machine: { memory: "4MiB", memlock: "64KiB" } });
    expect(k.spawn("a").mm!.memlockLimit).toBe(65536);
    expect(k.spawn("b", { memlock: 0 }).mm!.memlockPages).toBe(0);
    expect(testKernel().kernel.spawn("c").mm!.memlockPages).toBe(Infinity);
    expect(() => k.spawn("d", { memlock: -1 })).toThrow(expect.objectContaining({ errno: EINVAL }));
  });

  it("runs processes as users: one user_struct per uid, shared; uid 1000 unless told; fork's child runs as its parent's user", () => {
    const { kernel: k } = testKernel();
    const a = k.spawn("a");
    const b = k.spawn("b");
    const c = k.spawn("c", { uid: 1001 });
    expect(a.user.uid).toBe(DEFAULT_UID);
    expect(b.user).toBe(a.user);
    expect(c.user).not.toBe(a.user);
    expect(k.allocUid(1001)).toBe(c.user);
    const child = doFork(k, c, "c2");
    expect(typeof child === "number" ? child : child.user).toBe(c.user);
    expect([...k.users.keys()]).toEqual([DEFAULT_UID, 1001]);
  });

  it("refuses a uid that is not a whole number from 0 to 2^32 - 2, naming the process", () => {
    const { kernel: k } = testKernel();
    expect(k.spawn("root", { uid: 0 }).user.uid).toBe(0);
    for (const uid of [-1, 1.5, 0xffff_ffff, NaN]) {
      expect(() => k.spawn(`p${uid}`, { uid })).toThrow(expect.objectContaining({ errno: EINVAL, message: expect.stringContaining(`process "p${uid}": a uid`) }));
    }
  });
});
