/**
 * Collapse (mm/khugepaged.c, v6.12): MADV_COLLAPSE's result per 2 MiB and its errnos, and the
 * khugepaged limits MADV_COLLAPSE does not have.
 */
import { describe, expect, it } from "vitest";
import { EAGAIN, EINVAL, ENOMEM } from "../errno.js";
import { FOLL_WRITE } from "../gup/foll-flags.js";
import { HPAGE_PMD_NR, HPAGE_PMD_SIZE, PAGE_SIZE } from "../sim/units.js";
import { expectConsistent, type testKernel } from "../testing/kernel.js";
import { kernelWithProcess } from "../testing/mm.js";
import { hpageCollapseScanPmd, madviseCollapseErrno } from "./khugepaged.js";
import { doMadvise } from "./madvise.js";
import { doMmap } from "./mmap.js";
import { touchRange } from "./user-access.js";
import { VM_READ, VM_WRITE } from "./vm-flags.js";

const P = PAGE_SIZE;
const setup = (cfg: Parameters<typeof testKernel>[0] = {}) => kernelWithProcess({ cfg: { machine: { memory: "32MiB" }, ...cfg } });

describe("MADV_COLLAPSE", () => {
  it("maps each scan result to madvise_collapse_errno()'s errno", () => {
    expect(madviseCollapseErrno("alloc_huge_page_fail")).toBe(-ENOMEM);
    expect(madviseCollapseErrno("page_count")).toBe(-EAGAIN);
    expect(madviseCollapseErrno("page_ro")).toBe(-EINVAL);
    expect(madviseCollapseErrno("pmd_none")).toBe(-EINVAL);
  });

  it("refuses an empty PMD (pmd_none: EINVAL), a range of zero-page PTEs only (nothing writable), and collapses once a page is written", () => {
    const { inst, k, p } = setup();
    const a = doMmap(k, p, { length: 2 * HPAGE_PMD_SIZE, prot: VM_READ | VM_WRITE, shared: false, anonymous: true });
    touchRange(k, p, a + HPAGE_PMD_SIZE, P, false);
    expect(doMadvise(k, p, a, HPAGE_PMD_SIZE, "collapse")).toBe(-EINVAL);
    const vma = p.mm!.vmas[0];
    expect(hpageCollapseScanPmd(k, vma, (a + HPAGE_PMD_SIZE) / P, { isKhugepaged: false })).toBe("page_ro");
    touchRange(k, p, a + HPAGE_PMD_SIZE + 5 * P, P, true);
    expect(doMadvise(k, p, a + HPAGE_PMD_SIZE, HPAGE_PMD_SIZE, "collapse")).toBe(HPAGE_PMD_NR);
    expect(p.mm!.pageTable.isLeaf((a + HPAGE_PMD_SIZE) / P)).toBe(true);
    expectConsistent(inst);
  });

  it("answers ENOMEM when no 2 MiB folio can be had, and EAGAIN while a GUP reference holds a page", () => {
    const { inst, k, p, gup } = setup({ machine: { memory: "3MiB" } });
    const a = doMmap(k, p, { length: HPAGE_PMD_SIZE, prot: VM_READ | VM_WRITE, shared: false, anonymous: true });
    touchRange(k, p, a, 4 * P, true);
    expect(doMadvise(k, p, a, HPAGE_PMD_SIZE, "collapse")).toBe(-ENOMEM);
    const pages: number[] = [];
    expect(gup.getUserPages(p, a, 1, FOLL_WRITE, pages)).toBe(1);
    const { k: k2, p: p2, gup: gup2, inst: inst2 } = setup();
    const b = doMmap(k2, p2, { length: HPAGE_PMD_SIZE, prot: VM_READ | VM_WRITE, shared: false, anonymous: true });
    touchRange(k2, p2, b, 4 * P, true);
    const held: number[] = [];
    expect(gup2.getUserPages(p2, b + P, 1, FOLL_WRITE, held)).toBe(1);
    expect(doMadvise(k2, p2, b, HPAGE_PMD_SIZE, "collapse")).toBe(-EAGAIN);
    gup2.putPage(held[0]);
    expect(doMadvise(k2, p2, b, HPAGE_PMD_SIZE, "collapse")).toBe(HPAGE_PMD_NR);
    gup.putPage(pages[0]);
    expectConsistent(inst);
    expectConsistent(inst2);
  });
});
