import { describe, expect, it } from "vitest";
import { doMmap, doFork, userWrite, userRead, touchRange, VM_READ, VM_WRITE, FOLL_WRITE, FOLL_LONGTERM, PAGE_SIZE, writeback, doTruncate, readFileData, Process } from "../index.js";
import { testKernel, expectConsistent } from "../testing/kernel.js";

describe("smoke", () => {
  it("runs the basic paths", () => {
    const inst = testKernel();
    const { kernel: k, gup } = inst;
    const p = k.spawn("p1");
    const a = doMmap(k, p, { length: 16 * PAGE_SIZE, prot: VM_READ | VM_WRITE, shared: false, anonymous: true });
    expect(a).toBeGreaterThan(0);
    expect(userWrite(k, p, a, new TextEncoder().encode("hello"))).toBe(0);
    expect(new TextDecoder().decode(userRead(k, p, a, 5) as Uint8Array)).toBe("hello");
    expect(touchRange(k, p, a, 16 * PAGE_SIZE, false)).toBe(16);
    expectConsistent(inst);
    const pages: number[] = [];
    expect(gup.pinUserPagesFast(p, a, 4, FOLL_WRITE | FOLL_LONGTERM, pages)).toBe(4);
    expectConsistent(inst);
    const c = doFork(k, p, "child") as Process;
    expect(c).toBeInstanceOf(Process);
    expectConsistent(inst);
    gup.unpinUserPages(pages, 4);
    expectConsistent(inst);
    const file = k.createFile("data", "ext4", 8 * PAGE_SIZE);
    const b = doMmap(k, p, { length: 8 * PAGE_SIZE, prot: VM_READ | VM_WRITE, shared: true, anonymous: false, file });
    expect(userWrite(k, p, b, new TextEncoder().encode("disk"))).toBe(0);
    expect(writeback(k, file)).toBe(1);
    expectConsistent(inst);
    expect(doTruncate(k, file, 0)).toBe(0);
    expect(readFileData(k, file, 0, 4).length).toBe(0);
    expectConsistent(inst);
  });
});
