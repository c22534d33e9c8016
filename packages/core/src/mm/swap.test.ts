/**
 * Swap (mm/vmscan.c shrink_folio_list, mm/rmap.c try_to_unmap_one, mm/memory.c do_swap_page,
 * copy_nonpresent_pte, zap_pte_range, mm/swapfile.c, mm/swap_state.c, v6.12).
 */
import { describe, expect, it } from "vitest";
import { ENOMEM } from "../errno.js";
import { FOLL_LONGTERM, FOLL_WRITE } from "../gup/foll-flags.js";
import { PG_ANON_EXCLUSIVE, PG_SWAPCACHE } from "../memory/page-flags.js";
import { migrateRange } from "../migrate/migrate.js";
import { reclaim } from "../migrate/reclaim.js";
import { HPAGE_PMD_NR, HPAGE_PMD_SIZE, PAGE_SIZE } from "../sim/units.js";
import { expectConsistent } from "../testing/kernel.js";
import { forkOrThrow, kernelWithProcess, pteAt } from "../testing/mm.js";
import { doExit } from "./fork.js";
import { hpageCollapseScanPmd } from "./khugepaged.js";
import { doMadvise } from "./madvise.js";
import { doMmap, doMunmap } from "./mmap.js";
import { PTE_PRESENT, PTE_SWAP, PTE_SWP_EXCLUSIVE, PTE_WRITE } from "./page-table.js";
import { pteSwpOffset } from "./swapops.js";
import { touchRange, userRead, userWrite } from "./user-access.js";
import { VM_READ, VM_WRITE } from "./vm-flags.js";

const P = PAGE_SIZE;
const HPAGE_SIZE_FOR_TEST = HPAGE_PMD_SIZE;
const RW = VM_READ | VM_WRITE;
const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array | number) => (typeof b === "number" ? `errno ${b}` : new TextDecoder().decode(b));

function setup(swap = "1MiB", extra = {}) {
  const t = kernelWithProcess({ cfg: { machine: { memory: "32MiB", swap }, ...extra } });
  const a = doMmap(t.k, t.p, { length: 4 * P, prot: RW, shared: false, anonymous: true });
  return { ...t, a, swap: t.k.swap! };
}

describe("swap out and in", () => {
  it("MADV_PAGEOUT makes the PTE an exclusive swap entry, writes the page, frees the frame; a read brings the bytes back, mapped writable", () => {
    const { inst, k, p, a, swap } = setup();
    expect(userWrite(k, p, a, enc("swapped"))).toBe(0);
    const frame = pteAt(p, a).pfn;
    expect(doMadvise(k, p, a, P, "pageout")).toBe(1);
    const bits = pteAt(p, a).bits;
    expect(bits & PTE_PRESENT).toBe(0);
    expect(bits & (PTE_SWAP | PTE_SWP_EXCLUSIVE)).toBe(PTE_SWAP | PTE_SWP_EXCLUSIVE);
    expect(pteSwpOffset(p.mm!.pageTable, a / P)).toBe(1);
    expect(swap.swapMap[1]).toBe(1);
    expect(swap.inuse).toBe(1);
    expect(k.memory.isAllocated(frame)).toBe(false);
    expect(k.vmstat.pswpout).toBe(1);
    expectConsistent(inst);
    expect(dec(userRead(k, p, a, 7) as Uint8Array)).toBe("swapped");
    expect(k.vmstat.pswpin).toBe(1);
    expect(pteAt(p, a).bits & PTE_WRITE).toBe(PTE_WRITE);
    expect(swap.inuse).toBe(0);
    expectConsistent(inst);
  });

  it("keeps a maybe-pinned page mapped: no slot is even taken (folio_maybe_dma_pinned before add_to_swap)", () => {
    const { inst, k, p, a, gup, swap } = setup();
    const pages: number[] = [];
    expect(gup.pinUserPages(p, a, 1, FOLL_WRITE | FOLL_LONGTERM, pages)).toBe(1);
    expect(doMadvise(k, p, a, P, "pageout")).toBe(0);
    expect(pteAt(p, a).pfn).toBe(pages[0]);
    expect(swap.inuse).toBe(0);
    gup.unpinUserPages(pages, 1);
    expectConsistent(inst);
  });

  it("unmaps a page a FOLL_GET reference holds but does not write it: the swap cache keeps it for the next fault", () => {
    const { inst, k, p, a, gup, swap } = setup();
    expect(userWrite(k, p, a, enc("held"))).toBe(0);
    const pages: number[] = [];
    expect(gup.getUserPagesFast(p, a, 1, 0, pages)).toBe(1);
    expect(doMadvise(k, p, a, P, "pageout")).toBe(0);
    expect(pteAt(p, a).bits & PTE_SWAP).toBe(PTE_SWAP);
    expect(k.frames.flags[pages[0]] & PG_SWAPCACHE).toBe(PG_SWAPCACHE);
    expect(k.vmstat.pswpout).toBe(0);
    expectConsistent(inst);
    expect(dec(userRead(k, p, a, 4) as Uint8Array)).toBe("held");
    expect(pteAt(p, a).pfn).toBe(pages[0]);
    expect(k.vmstat.pswpin).toBe(0);
    expect(k.frames.flags[pages[0]] & PG_ANON_EXCLUSIVE).toBe(PG_ANON_EXCLUSIVE);
    gup.putPage(pages[0]);
    // Now only the mapping and the swap cache hold it: it is written (its slot kept) and freed.
    expect(doMadvise(k, p, a, P, "pageout")).toBe(1);
    expect(k.vmstat.pswpout).toBe(1);
    expect(swap.cache.size).toBe(0);
    expectConsistent(inst);
  });

  it("fork shares the swap entry (swap_duplicate, exclusive cleared); the child reads through the swap cache, the parent's write copies", () => {
    const { inst, k, p, a, swap } = setup();
    expect(userWrite(k, p, a, enc("family"))).toBe(0);
    doMadvise(k, p, a, P, "pageout");
    const c = forkOrThrow(k, p);
    expect(swap.swapMap[1]).toBe(2);
    expect(pteAt(p, a).bits & PTE_SWP_EXCLUSIVE).toBe(0);
    expect(dec(userRead(k, c, a, 6) as Uint8Array)).toBe("family");
    const cached = pteAt(c, a).pfn;
    expect(swap.cache.get(1)).toBe(cached);
    expect(pteAt(c, a).bits & PTE_WRITE).toBe(0);
    expect(userWrite(k, p, a, enc("parent"))).toBe(0);
    expect(pteAt(p, a).pfn).not.toBe(cached);
    expect(k.vmstat.pswpin).toBe(1);
    expect(dec(userRead(k, c, a, 6) as Uint8Array)).toBe("family");
    expectConsistent(inst);
    doExit(k, c);
    expect(doMunmap(k, p, a, 4 * P)).toBe(1);
    expect(swap.inuse).toBe(0);
    expect(swap.cache.size).toBe(0);
    expectConsistent(inst);
  });

  it("leaves a page two processes map (MADV_PAGEOUT's folio_mapcount check); reclaim swaps it with both entries", () => {
    const { inst, k, p, a, swap } = setup();
    touchRange(k, p, a, P, true);
    const c = forkOrThrow(k, p);
    expect(doMadvise(k, p, a, P, "pageout")).toBe(0);
    expect(pteAt(p, a).bits & PTE_PRESENT).toBe(PTE_PRESENT);
    expect(reclaim(k).swapped).toBe(1);
    expect(swap.swapMap[1]).toBe(2);
    expect(pteAt(c, a).bits & PTE_SWAP).toBe(PTE_SWAP);
    expect(k.vmstat.swpout_zero).toBe(1);
    expectConsistent(inst);
  });

  it("a swap-in that cannot allocate fails with ENOMEM and leaves the entry (the alloc fault point)", () => {
    const { inst, k, p, a } = setup("1MiB", { faults: { alloc: { at: [2] } } });
    expect(userWrite(k, p, a, enc("retry"))).toBe(0);
    doMadvise(k, p, a, P, "pageout");
    expect(userRead(k, p, a, 5)).toBe(-ENOMEM);
    expect(pteAt(p, a).bits & PTE_SWAP).toBe(PTE_SWAP);
    expect(dec(userRead(k, p, a, 5) as Uint8Array)).toBe("retry");
    expectConsistent(inst);
  });

  it("migrates a folio in the swap cache: the cache follows it", () => {
    const { inst, k, p, a, swap } = setup();
    expect(userWrite(k, p, a, enc("moving"))).toBe(0);
    doMadvise(k, p, a, P, "pageout");
    const c = forkOrThrow(k, p);
    expect(dec(userRead(k, c, a, 6) as Uint8Array)).toBe("moving");
    const before = pteAt(c, a).pfn;
    expect(migrateRange(k, c.pid, a, P)).toEqual({ migrated: 1, failed: 0 });
    const after = pteAt(c, a).pfn;
    expect(after).not.toBe(before);
    expect(swap.cache.get(1)).toBe(after);
    expect(dec(userRead(k, p, a, 6) as Uint8Array)).toBe("moving");
    expect(pteAt(p, a).pfn).toBe(after);
    expectConsistent(inst);
  });

  it("without a swap device MADV_PAGEOUT frees nothing, yet splits a THP on the way (shrink_folio_list's fallback)", () => {
    const { inst, k, p } = kernelWithProcess({ cfg: { machine: { memory: "32MiB" } } });
    const big = doMmap(k, p, { length: 2 * HPAGE_PMD_SIZE, prot: RW, shared: false, anonymous: true });
    const a = Math.ceil(big / HPAGE_PMD_SIZE) * HPAGE_PMD_SIZE;
    expect(doMadvise(k, p, a, HPAGE_PMD_SIZE, "hugepage")).toBeGreaterThan(0);
    touchRange(k, p, a, P, true);
    expect(k.frames.order[pteAt(p, a).pfn]).toBe(9);
    expect(doMadvise(k, p, a, HPAGE_PMD_SIZE, "pageout")).toBe(0);
    expect(k.frames.order[pteAt(p, a).pfn]).toBe(0);
    expect(k.vmstat.thp_split_page).toBe(1);
    expect(k.vmstat.thp_swpout_fallback).toBe(1);
    expect(touchRange(k, p, a, HPAGE_PMD_SIZE, false)).toBe(HPAGE_PMD_NR);
    expectConsistent(inst);
  });

  it("the zero page is never swapped (vm_normal_folio() has no folio for it)", () => {
    const { inst, k, p, a, swap } = setup();
    touchRange(k, p, a, 4 * P, false);
    expect(doMadvise(k, p, a, 4 * P, "pageout")).toBe(0);
    expect(reclaim(k).swapped).toBe(0);
    expect(swap.inuse).toBe(0);
    expectConsistent(inst);
  });
});

describe("swap and collapse (mm/khugepaged.c)", () => {
  const collapseSetup = () => {
    const t = kernelWithProcess({ cfg: { machine: { memory: "32MiB", swap: "8MiB" } } });
    const big = doMmap(t.k, t.p, { length: 2 * HPAGE_SIZE_FOR_TEST, prot: RW, shared: false, anonymous: true });
    return { ...t, a: Math.ceil(big / HPAGE_SIZE_FOR_TEST) * HPAGE_SIZE_FOR_TEST, swap: t.k.swap! };
  };

  it("MADV_COLLAPSE swaps the range's swapped-out pages in first (__collapse_huge_page_swapin); their slots are freed", () => {
    const { inst, k, p, a, swap } = collapseSetup();
    expect(userWrite(k, p, a, enc("stays"))).toBe(0);
    expect(userWrite(k, p, a + P, enc("went out"))).toBe(0);
    expect(doMadvise(k, p, a + P, P, "pageout")).toBe(1);
    expect(doMadvise(k, p, a, HPAGE_SIZE_FOR_TEST, "collapse")).toBe(HPAGE_PMD_NR);
    expect(p.mm!.pageTable.isLeaf(a / P)).toBe(true);
    expect(k.vmstat.pswpin).toBe(1);
    expect(swap.inuse).toBe(0);
    expect(dec(userRead(k, p, a + P, 8) as Uint8Array)).toBe("went out");
    expectConsistent(inst);
  });

  it("khugepaged leaves a range with more swap entries than khugepaged_max_ptes_swap (64)", () => {
    const { inst, k, p, a } = collapseSetup();
    for (let i = 0; i < 66; i++) expect(userWrite(k, p, a + i * P, enc(`p${i}`))).toBe(0);
    expect(doMadvise(k, p, a, 65 * P, "pageout")).toBe(65);
    const vma = p.mm!.vmas.find((v) => v.contains(a))!;
    expect(hpageCollapseScanPmd(k, vma, a / P, { isKhugepaged: true })).toBe("exceed_swap_pte");
    expect(doMadvise(k, p, a + 64 * P, P, "dontneed")).toBe(0);
    // 64 swap entries pass, but then khugepaged wants half the range recently used.
    expect(hpageCollapseScanPmd(k, vma, a / P, { isKhugepaged: true })).toBe("lack_referenced_page");
    expect(dec(userRead(k, p, a + 63 * P, 3) as Uint8Array)).toBe("p63");
    expectConsistent(inst);
  });
});
