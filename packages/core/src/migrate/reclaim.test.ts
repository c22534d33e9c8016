/**
 * Reclaim of clean file pages (`shrink_folio_list`: `try_to_unmap`, the `folio_maybe_dma_pinned`
 * re-activation, `filemap_release_folio`, `__remove_mapping`; mm/vmscan.c, v6.12).
 */
import { describe, expect, it } from "vitest";
import { FOLL_WRITE } from "../gup/foll-flags.js";
import { PG_DIRTY, PG_PRIVATE } from "../memory/page-flags.js";
import { writeback } from "../fs/writeback.js";
import { doMmap } from "../mm/mmap.js";
import { PTE_PRESENT } from "../mm/page-table.js";
import { touchRange, userRead, userWrite } from "../mm/user-access.js";
import { VM_READ, VM_WRITE } from "../mm/vm-flags.js";
import { PAGE_SIZE } from "../sim/units.js";
import { expectConsistent, testKernel } from "../testing/kernel.js";
import { reclaim } from "./reclaim.js";

const RW = VM_READ | VM_WRITE;
const P = PAGE_SIZE;
const enc = (s: string) => new TextEncoder().encode(s);

function setup() {
  const inst = testKernel({ keepEventLog: true });
  const k = inst.kernel;
  const p = k.spawn("p");
  const file = k.createFile("f", "ext4", 4 * P);
  const a = doMmap(k, p, { length: 4 * P, prot: RW, shared: true, anonymous: false, file });
  return { inst, k, p, file, a, gup: inst.gup };
}

describe("reclaim", () => {
  it("unmaps clean pages everywhere (notifier clear), strips buffers and frees them; the data comes back from disk", () => {
    const { inst, k, p, file, a } = setup();
    expect(userWrite(k, p, a, enc("disk"))).toBe(0);
    touchRange(k, p, a + P, P, false);
    writeback(k, file);
    const pfn = file.cache.get(0)!;
    expect(k.frames.flags[pfn] & PG_PRIVATE).toBe(PG_PRIVATE);
    const clear = k.notifiers.counts.clear;
    const r = reclaim(k, file);
    expect(r).toEqual({ reclaimed: 2, activated: 0, buffersStripped: 1, failed: 0 });
    expect(k.notifiers.counts.clear).toBe(clear + 2);
    expect(file.cache.size).toBe(0);
    expect(k.memory.isAllocated(pfn)).toBe(false);
    expect(p.mm!.pageTable.bits(a / P) & PTE_PRESENT).toBe(0);
    expect(k.events.events.at(-1)).toMatchObject({ type: "reclaim", file: "f", reclaimed: 2 });
    expect(userRead(k, p, a, 4)).toEqual(enc("disk"));
    expectConsistent(inst);
  });

  it("skips dirty pages and pages under writeback", () => {
    const { inst, k, p, file, a } = setup();
    userWrite(k, p, a, enc("dirty"));
    userWrite(k, p, a + P, enc("wb"));
    writeback(k, file, { async: true });
    userWrite(k, p, a + 2 * P, enc("dirty again"));
    expect(reclaim(k, file)).toEqual({ reclaimed: 0, activated: 0, buffersStripped: 0, failed: 0 });
    expect(file.cache.size).toBe(3);
    k.clock.settle();
    expectConsistent(inst);
  });

  it("a clean page whose PTE was dirty becomes dirty on unmap and stays", () => {
    const { inst, k, p, file, a } = setup();
    userWrite(k, p, a, enc("x"));
    const pfn = file.cache.get(0)!;
    k.frames.flags[pfn] &= ~PG_DIRTY; // only the PTE still knows the page was written
    expect(reclaim(k, file)).toEqual({ reclaimed: 0, activated: 0, buffersStripped: 0, failed: 0 });
    expect(file.cache.get(0)).toBe(pfn);
    expect(writeback(k, file)).toBe(1);
    expectConsistent(inst);
  });

  it("re-activates a maybe-pinned page after unmapping it: buffers stay, the page stays", () => {
    const { inst, k, p, file, a, gup } = setup();
    userWrite(k, p, a, enc("pinned"));
    const pages: number[] = [];
    gup.pinUserPages(p, a, 1, FOLL_WRITE, pages);
    writeback(k, file);
    expect(reclaim(k, file)).toEqual({ reclaimed: 0, activated: 1, buffersStripped: 0, failed: 0 });
    expect(k.frames.flags[pages[0]] & PG_PRIVATE).toBe(PG_PRIVATE);
    expect(file.cache.get(0)).toBe(pages[0]);
    expect(p.mm!.pageTable.bits(a / P) & PTE_PRESENT).toBe(0);
    gup.unpinUserPages(pages, 1);
    expectConsistent(inst);
  });

  it("a plain extra reference makes __remove_mapping fail after the buffers were stripped", () => {
    const { inst, k, p, file, a, gup } = setup();
    userWrite(k, p, a, enc("held"));
    writeback(k, file);
    const pages: number[] = [];
    gup.getUserPages(p, a, 1, 0, pages);
    expect(reclaim(k, file)).toEqual({ reclaimed: 0, activated: 0, buffersStripped: 1, failed: 1 });
    expect(file.cache.get(0)).toBe(pages[0]);
    expect(k.frames.flags[pages[0]] & PG_PRIVATE).toBe(0);
    gup.putPage(pages[0]);
    expect(reclaim(k, file)).toMatchObject({ reclaimed: 1 });
    expectConsistent(inst);
  });

  it("leaves shmem, hugetlbfs and FS-DAX pages alone: no swap is modelled and the others have no page cache to drop", () => {
    const inst = testKernel({ machine: { memory: "32MiB", pmem: "1MiB" } });
    const k = inst.kernel;
    const p = k.spawn("p");
    for (const [name, fs] of [["s", "shmem"], ["h", "hugetlbfs"], ["d", "fsdax"]] as const) {
      const len = fs === "hugetlbfs" ? 2 * 1024 * 1024 : P;
      const file = k.createFile(name, fs, len);
      const a = doMmap(k, p, { length: len, prot: RW, shared: true, anonymous: false, file });
      touchRange(k, p, a, P, false);
      // A device wrote into the page without dirtying it: dropping it would lose the data.
      k.memory.contents.write(file.cache.get(0)!, 0, enc("dma"));
    }
    const shared = doMmap(k, p, { length: P, prot: RW, shared: true, anonymous: true });
    touchRange(k, p, shared, P, false);
    expect(reclaim(k)).toEqual({ reclaimed: 0, activated: 0, buffersStripped: 0, failed: 0 });
    for (const name of ["s", "h", "d"]) expect(k.file(name).cache.size).toBeGreaterThan(0);
    expectConsistent(inst);
  });
});
