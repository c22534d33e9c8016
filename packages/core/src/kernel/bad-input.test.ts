/**
 * Bad input at every entry point of the machine model: unaligned addresses, zero, negative,
 * fractional and overflowing lengths, unknown processes and files, sizes past the limits. Each
 * gets the kernel's errno (or a typed error with a clear message), and the model stays
 * consistent afterwards.
 */
import { describe, expect, it } from "vitest";
import { EEXIST, EFAULT, EFBIG, EINVAL, ENOENT, ENOMEM, ESRCH } from "../errno.js";
import { doPunchHole, doTruncate } from "../fs/truncate.js";
import { cmaAlloc } from "../migrate/cma.js";
import { migrateRange } from "../migrate/migrate.js";
import { doExit, doFork } from "../mm/fork.js";
import { doMadvise } from "../mm/madvise.js";
import { doMmap, doMunmap } from "../mm/mmap.js";
import { doMprotect } from "../mm/mprotect.js";
import { TASK_SIZE } from "../mm/mm-types.js";
import { VM_READ, VM_WRITE } from "../mm/vm-flags.js";
import { touchRange, userRead, userWrite } from "../mm/user-access.js";
import { PAGE_SIZE } from "../sim/units.js";
import { expectConsistent, testKernel } from "../testing/kernel.js";

const RW = VM_READ | VM_WRITE;
const P = PAGE_SIZE;

function setup() {
  const inst = testKernel({ machine: { memory: "8MiB", cma: "1MiB" } });
  const k = inst.kernel;
  const p = k.spawn("p");
  const a = doMmap(k, p, { length: 4 * P, prot: RW, shared: false, anonymous: true });
  touchRange(k, p, a, 4 * P, true);
  const file = k.createFile("f", "ext4", 4 * P);
  return { inst, k, p, a, file };
}

const BAD_RANGES: [string, (a: number) => [number, number], number][] = [
  ["an unaligned address", (a) => [a + 1, P], EINVAL],
  ["a negative address", () => [-P, P], EINVAL],
  ["a fractional address", (a) => [a + 0.5, P], EINVAL],
  ["NaN", () => [Number.NaN, P], EINVAL],
  ["a zero length", (a) => [a, 0], EINVAL],
  ["a negative length", (a) => [a, -P], EINVAL],
  ["a length past TASK_SIZE", (a) => [a, TASK_SIZE], EINVAL],
  ["an overflowing length", (a) => [a, Number.MAX_SAFE_INTEGER], EINVAL],
  ["an infinite length", (a) => [a, Infinity], EINVAL],
];

describe("address ranges", () => {
  it.each(BAD_RANGES)("munmap, mprotect and madvise refuse %s", (_d, range, errno) => {
    const { inst, k, p, a } = setup();
    const [addr, len] = range(a);
    expect(doMunmap(k, p, addr, len)).toBe(-errno);
    expect(doMprotect(k, p, addr, len, VM_READ)).toBe(-errno);
    expect(doMadvise(k, p, addr, len, "dontneed")).toBe(-errno);
    expect(p.mm!.vmas).toHaveLength(1);
    expect(p.mm!.rss).toBe(4);
    expectConsistent(inst);
  });

  it.each([
    ["a zero length", { length: 0 }, EINVAL],
    ["a length past TASK_SIZE", { length: 2 ** 50 }, ENOMEM],
    ["an unsafe length", { length: Number.MAX_SAFE_INTEGER + 2 }, EINVAL],
    ["a NaN offset", { anonymous: false, offset: Number.NaN }, EINVAL],
    ["a negative offset", { anonymous: false, offset: -P }, EINVAL],
    ["a NaN fixed address", { addr: Number.NaN }, EINVAL],
  ])("mmap refuses %s", (_d, over, errno) => {
    const { inst, k, p, file } = setup();
    const req = { length: P, prot: RW, shared: false, anonymous: true, ...over };
    expect(doMmap(k, p, req.anonymous ? req : { ...req, file })).toBe(-errno);
    expect(p.mm!.vmas).toHaveLength(1);
    expectConsistent(inst);
  });

  it("user accesses refuse bad lengths and unmapped ranges without allocating a buffer for them", () => {
    const { inst, k, p, a } = setup();
    expect(touchRange(k, p, a, -1, false)).toBe(-EINVAL);
    expect(touchRange(k, p, Number.NaN, P, false)).toBe(-EINVAL);
    expect(userRead(k, p, a, -1)).toBe(-EINVAL);
    expect(userRead(k, p, a, 1.5)).toBe(-EINVAL);
    // Far longer than the mapping (and than any buffer could be): EFAULT, not a RangeError.
    expect(userRead(k, p, a, 2 ** 45)).toBe(-EFAULT);
    expect(userRead(k, p, a + 8 * P, 16)).toBe(-EFAULT);
    expect(userWrite(k, p, TASK_SIZE + P, Uint8Array.of(1))).toBe(-EFAULT);
    expect(userRead(k, p, a, 0)).toEqual(new Uint8Array(0));
    expectConsistent(inst);
  });
});

describe("files", () => {
  it.each([
    ["truncate to a negative size", (k: ReturnType<typeof setup>) => doTruncate(k.k, k.file, -P), EINVAL],
    ["truncate past 16TiB", (k: ReturnType<typeof setup>) => doTruncate(k.k, k.file, 2 ** 50), EFBIG],
    ["punch a NaN offset", (k: ReturnType<typeof setup>) => doPunchHole(k.k, k.file, Number.NaN, P), EINVAL],
    ["punch an infinite length", (k: ReturnType<typeof setup>) => doPunchHole(k.k, k.file, 0, Infinity), EINVAL],
  ])("refuses to %s", (_d, run, errno) => {
    const s = setup();
    expect(run(s)).toBe(-errno);
    expect(s.file.size).toBe(4 * P);
    expectConsistent(s.inst);
  });

  it("unknown files and processes are KernelError ENOENT with the name in the message", () => {
    const { k } = setup();
    expect(() => k.file("nope")).toThrow(expect.objectContaining({ name: "KernelError", errno: ENOENT, message: 'ENOENT: no file named "nope"' }));
    expect(() => k.process("nope")).toThrow(expect.objectContaining({ name: "KernelError", errno: ENOENT, message: 'ENOENT: no process named "nope"' }));
  });
});

describe("processes", () => {
  it("fork refuses a child name already taken (EEXIST) and keeps the name table intact", () => {
    const { inst, k, p } = setup();
    k.spawn("q");
    expect(doFork(k, p, "q")).toBe(-EEXIST);
    expect(doFork(k, p, "p")).toBe(-EEXIST);
    expect(k.process("p")).toBe(p);
    expect(k.processes.size).toBe(2);
    expectConsistent(inst);
  });

  it("an exited process can no longer map, unmap, fork or be migrated, and exiting again does nothing", () => {
    const { inst, k, p, a } = setup();
    doExit(k, p);
    expect(doMmap(k, p, { length: P, prot: RW, shared: false, anonymous: true })).toBe(-ENOENT);
    expect(doMunmap(k, p, a, P)).toBe(-ENOENT);
    expect(doMprotect(k, p, a, P, VM_READ)).toBe(-ENOENT);
    expect(doMadvise(k, p, a, P, "dontfork")).toBe(-ENOENT);
    expect(doFork(k, p, "c")).toBe(-ENOENT);
    expect(touchRange(k, p, a, P, false)).toBe(-EFAULT);
    expect(doExit(k, p)).toBe(0);
    expect(() => migrateRange(k, p.pid, a, P)).toThrow(expect.objectContaining({ errno: ESRCH }));
    expectConsistent(inst);
  });

  it("migrateRange names an unknown pid (ESRCH) and a bad range (EINVAL)", () => {
    const { inst, k, p, a } = setup();
    expect(() => migrateRange(k, 999, a, P)).toThrow(/ESRCH: no live process with pid 999/);
    expect(() => migrateRange(k, p.pid, a, -1)).toThrow(expect.objectContaining({ errno: EINVAL }));
    expect(() => migrateRange(k, p.pid, Number.NaN, P)).toThrow(expect.objectContaining({ errno: EINVAL }));
    expect(migrateRange(k, p.pid, a, 4 * P)).toEqual({ migrated: 4, failed: 0 });
    expectConsistent(inst);
  });
});

describe("allocations and the clock", () => {
  it("cma_alloc refuses non-positive and fractional counts (EINVAL) and impossible ones (ENOMEM)", () => {
    const { inst, k } = setup();
    expect(cmaAlloc(k, 0)).toBe(-EINVAL);
    expect(cmaAlloc(k, -1)).toBe(-EINVAL);
    expect(cmaAlloc(k, 1.5)).toBe(-EINVAL);
    expect(cmaAlloc(k, 2 ** 40)).toBe(-ENOMEM);
    expectConsistent(inst);
  });

  it("the clock refuses negative, NaN and infinite delays with a RangeError naming the value", () => {
    const { k } = setup();
    expect(() => k.clock.schedule(-1, "x", () => undefined)).toThrow(/delay must be a non-negative number of ns, got -1/);
    expect(() => k.clock.schedule(Number.NaN, "x", () => undefined)).toThrow(RangeError);
    expect(() => k.clock.schedule(Infinity, "x", () => undefined)).toThrow(RangeError);
    expect(() => k.clock.advance(-5)).toThrow(/cannot advance by -5/);
    expect(k.clock.now).toBe(0);
  });
});
