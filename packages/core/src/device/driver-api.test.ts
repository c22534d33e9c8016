/**
 * The driver helpers of memlock accounting and compound pages: RDMA's checked `pinned_vm`
 * charge, io_uring's per-user `locked_vm` check (`__io_account_mem`) and unchecked `pinned_vm`
 * add, and `PageCompound` / `compound_head` / `page_size` on small and huge pages.
 */
import { describe, expect, it } from "vitest";
import { ENOMEM } from "../errno.js";
import { FOLL_LONGTERM, FOLL_WRITE } from "../gup/foll-flags.js";
import { doMmap } from "../mm/mmap.js";
import { VM_READ, VM_WRITE } from "../mm/vm-flags.js";
import { HPAGE_PMD_SIZE, PAGE_SIZE } from "../sim/units.js";
import { testKernel } from "../testing/kernel.js";
import { driverApi } from "./driver-api.js";

const RW = VM_READ | VM_WRITE;

describe("driver API: memlock accounting", () => {
  it("charge (ib_umem_get) checks pinned_vm against RLIMIT_MEMLOCK; pinnedVmAdd (io_account_mem) does not", () => {
    const { kernel: k } = testKernel({ machine: { memory: "4MiB", memlock: "16KiB" } });
    const { memlock } = driverApi(k);
    const mm = k.spawn("p").mm!;
    expect(memlock.charge(mm, 3, false)).toBe(true);
    expect(memlock.charge(mm, 2, false)).toBe(false);
    expect(mm.pinnedVm).toBe(3);
    memlock.pinnedVmAdd(mm, 10);
    expect(mm.pinnedVm).toBe(13);
    expect(memlock.charge(mm, 1, false)).toBe(false);
    expect(memlock.charge(mm, 1, true)).toBe(true);
    memlock.uncharge(mm, 14);
    expect(mm.pinnedVm).toBe(0);
  });

  it("ioAccountMem (__io_account_mem) checks and charges the user's locked_vm, shared by the user's processes", () => {
    const { kernel: k } = testKernel({ machine: { memory: "4MiB", memlock: "16KiB" } });
    const { memlock } = driverApi(k);
    const a = k.spawn("a");
    const b = k.spawn("b");
    const other = k.spawn("o", { uid: 1001 });
    expect(memlock.ioAccountMem(a.user, 3, a.mm!.memlockPages)).toBe(0);
    expect(memlock.ioAccountMem(b.user, 2, b.mm!.memlockPages)).toBe(-ENOMEM);
    expect(b.user.lockedVm).toBe(3);
    expect(memlock.ioAccountMem(b.user, 1, b.mm!.memlockPages)).toBe(0);
    expect(memlock.ioAccountMem(other.user, 4, other.mm!.memlockPages)).toBe(0);
    expect(memlock.ioAccountMem(a.user, 0, 0)).toBe(0);
    expect([a.user.lockedVm, other.user.lockedVm, a.mm!.pinnedVm]).toEqual([4, 4, 0]);
    memlock.ioUnaccountMem(a.user, 4);
    expect(b.user.lockedVm).toBe(0);
  });
});

describe("driver API: compound pages", () => {
  it("answers PageCompound, compound_head and page_size for a small page and the tail of a hugetlb page", () => {
    const inst = testKernel({ machine: { memory: "16MiB" } });
    const k = inst.kernel;
    const { pages } = driverApi(k);
    const p = k.spawn("p");
    const small = doMmap(k, p, { length: PAGE_SIZE, prot: RW, shared: false, anonymous: true });
    const huge = doMmap(k, p, { length: HPAGE_PMD_SIZE, prot: RW, shared: false, anonymous: true, hugetlb: true });
    const pin = (addr: number) => {
      const got: number[] = [];
      expect(inst.gup.pinUserPagesFast(p, addr, 1, FOLL_WRITE | FOLL_LONGTERM, got, { holder: { kind: "handle", name: "t" } })).toBe(1);
      return got[0];
    };
    const s = pin(small);
    const tail = pin(huge + 3 * PAGE_SIZE);
    expect([pages.pageCompound(s), pages.compoundHead(s), pages.pageSize(s)]).toEqual([false, s, PAGE_SIZE]);
    expect(pages.pageCompound(tail)).toBe(true);
    expect(pages.compoundHead(tail)).toBe(tail - 3);
    expect(pages.pageSize(pages.compoundHead(tail))).toBe(HPAGE_PMD_SIZE);
  });
});
