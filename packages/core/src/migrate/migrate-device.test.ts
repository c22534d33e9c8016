/**
 * Device migration (mm/migrate_device.c, v6.12) driven the way a driver does, with a minimal
 * driver in the test: a pagemap of device-private pages whose `migrate_to_ram` migrates the one
 * faulting page back, and a copy step between `migrate_vma_setup()` and `migrate_vma_pages()`.
 */
import { describe, expect, it } from "vitest";
import { EFAULT, EINVAL } from "../errno.js";
import { FOLL_WRITE } from "../gup/foll-flags.js";
import { ZoneId } from "../memory/zones.js";
import { devicePrivateEntryPfn, isWritableDevicePrivateEntry, nonSwapEntry } from "../mm/device-entry.js";
import type { DevPagemap } from "../mm/memremap.js";
import type { Vma } from "../mm/mm-types.js";
import { doMmap } from "../mm/mmap.js";
import { touchRange, userRead, userWrite } from "../mm/user-access.js";
import { VM_READ, VM_WRITE } from "../mm/vm-flags.js";
import { isSwapPte, pteSwpOffset } from "../mm/swapops.js";
import { PAGE_SIZE } from "../sim/units.js";
import { expectConsistent, testKernel } from "../testing/index.js";
import type { Kernel } from "../kernel/kernel.js";
import { migrateVma, migrateVmaFinalize, migrateVmaPages, migrateVmaSetup } from "./migrate-device.js";
import { migratePfn, migratePfnToPage, mpfnHas, MIGRATE_PFN_MIGRATE, MIGRATE_PFN_WRITE, MIGRATE_VMA_SELECT_DEVICE_PRIVATE, MIGRATE_VMA_SELECT_SYSTEM } from "./migrate-pfn.js";

/** A driver owning one pagemap of 16 device-private pages. */
function driver(k: Kernel) {
  const free: number[] = [];
  let faults = 0;
  const migrateBack = (vma: Vma, vpn: number, page: number): number => {
    const args = migrateVma(vma, vpn * PAGE_SIZE, (vpn + 1) * PAGE_SIZE, "drv", MIGRATE_VMA_SELECT_DEVICE_PRIVATE, page);
    if (migrateVmaSetup(k, args) < 0) return -EFAULT;
    for (let i = 0; i < args.npages; i++) {
      const s = migratePfnToPage(args.src[i]);
      if (s < 0 || !mpfnHas(args.src[i], MIGRATE_PFN_MIGRATE)) continue;
      const d = k.memory.allocFolio(0);
      k.memory.contents.copy(s, d);
      args.dst[i] = migratePfn(d) + (mpfnHas(args.src[i], MIGRATE_PFN_WRITE) ? MIGRATE_PFN_WRITE : 0);
    }
    migrateVmaPages(k, args);
    migrateVmaFinalize(k, args);
    return 0;
  };
  const pgmap: DevPagemap = k.pgmaps.memremapPages("device_private", "drv", {
    pageFree: (pfn) => free.push(pfn),
    migrateToRam: (vmf) => {
      faults++;
      return migrateBack(vmf.vma, vmf.vpn, vmf.page);
    },
  }, 16)!;
  for (let p = pgmap.start + pgmap.nr - 1; p >= pgmap.start; p--) free.push(p);
  const toDevice = (vma: Vma, addr: number, n: number) => {
    const args = migrateVma(vma, addr, addr + n * PAGE_SIZE, "drv", MIGRATE_VMA_SELECT_SYSTEM);
    expect(migrateVmaSetup(k, args)).toBe(0);
    for (let i = 0; i < args.npages; i++) {
      if (!mpfnHas(args.src[i], MIGRATE_PFN_MIGRATE)) continue;
      const d = free.pop()!;
      k.pgmaps.zoneDevicePageInit(d);
      const s = migratePfnToPage(args.src[i]);
      if (s >= 0) k.memory.contents.copy(s, d);
      args.dst[i] = migratePfn(d) + (mpfnHas(args.src[i], MIGRATE_PFN_WRITE) || s < 0 ? MIGRATE_PFN_WRITE : 0);
    }
    migrateVmaPages(k, args);
    migrateVmaFinalize(k, args);
    return args;
  };
  return { pgmap, free, toDevice, faults: () => faults };
}

function setup() {
  const inst = testKernel({ machine: { memory: "4MiB", deviceMemory: "1MiB" } });
  const k = inst.kernel;
  const p = k.spawn("p");
  const a = doMmap(k, p, { length: 4 * PAGE_SIZE, prot: VM_READ | VM_WRITE, shared: false, anonymous: true });
  return { inst, k, p, a, vma: p.mm!.findVma(a)!, d: driver(k) };
}

describe("device migration (migrate_vma_setup / _pages / _finalize)", () => {
  it("lays ZONE_DEVICE out only when the machine has device memory, and memremap_pages takes free pages there", () => {
    expect(testKernel({ machine: { memory: "4MiB" } }).kernel.memory.zones).toHaveLength(4);
    const { k, d } = setup();
    expect(k.memory.zoneOf(d.pgmap.start)).toBe(ZoneId.DEVICE);
    expect(k.frames.refcount[d.pgmap.start]).toBe(0);
    expect(k.pgmaps.pgmapOf(d.pgmap.start + 15)?.owner).toBe("drv");
    expect(k.pgmaps.pgmapOf(1)).toBeUndefined();
  });

  it("moves written pages and a hole to device-private entries, which genuine swap code does not see", () => {
    const { inst, k, p, a, vma, d } = setup();
    expect(userWrite(k, p, a, new TextEncoder().encode("dev"))).toBe(0);
    const args = d.toDevice(vma, a, 2);
    expect(args.cpages).toBe(2);
    const pt = p.mm!.pageTable;
    for (const vpn of [a / PAGE_SIZE, a / PAGE_SIZE + 1]) {
      const bits = pt.bits(vpn);
      expect(nonSwapEntry(bits) && isWritableDevicePrivateEntry(bits) && isSwapPte(bits)).toBe(true);
      expect(pteSwpOffset(pt, vpn)).toBe(-1);
      const dev = devicePrivateEntryPfn(pt, vpn);
      expect([k.frames.refcount[dev], k.frames.mapcount[dev]]).toEqual([1, 1]);
    }
    expect(p.mm!.rss).toBe(2);
    expectConsistent(inst);
    // A CPU read brings the page back through migrate_to_ram.
    expect(new TextDecoder().decode(userRead(k, p, a, 3) as Uint8Array)).toBe("dev");
    expect(d.faults()).toBe(1);
    expect(pt.pfn(a / PAGE_SIZE)).toBeGreaterThanOrEqual(0);
    expect(d.free).toHaveLength(15);
    expectConsistent(inst);
  });

  it("leaves a pinned page where it is (folio_try_share_anon_rmap_pte / migrate_vma_check_page)", () => {
    const { inst, k, p, a, vma, d } = setup();
    expect(touchRange(k, p, a, 2 * PAGE_SIZE, true)).toBe(2);
    expect(inst.gup.pinUserPages(p, a + PAGE_SIZE, 1, FOLL_WRITE, [])).toBe(1);
    const args = d.toDevice(vma, a, 2);
    expect(mpfnHas(args.src[0], MIGRATE_PFN_MIGRATE)).toBe(true);
    expect(args.src[1] === 0 || !mpfnHas(args.src[1], MIGRATE_PFN_MIGRATE)).toBe(true);
    expect(p.mm!.pageTable.pfn(a / PAGE_SIZE + 1)).toBeGreaterThanOrEqual(0);
    expectConsistent(inst);
  });

  it("refuses a range outside the VMA, and an empty one, with EINVAL", () => {
    const { k, a, vma } = setup();
    expect(migrateVmaSetup(k, migrateVma(vma, a, a + 8 * PAGE_SIZE, "drv", MIGRATE_VMA_SELECT_SYSTEM))).toBe(-EINVAL);
    expect(migrateVmaSetup(k, migrateVma(vma, a, a, "drv", MIGRATE_VMA_SELECT_SYSTEM))).toBe(-EINVAL);
  });
});
