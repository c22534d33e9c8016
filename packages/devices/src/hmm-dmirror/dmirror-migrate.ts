/**
 * Migration between system memory and a dmirror device's private memory (lib/test_hmm.c, Linux
 * v6.12): `HMM_DMIRROR_MIGRATE_TO_DEV` (`dmirror_migrate_to_device()`),
 * `HMM_DMIRROR_MIGRATE_TO_SYS` (`dmirror_migrate_to_system()`) and the CPU fault on one of its
 * pages (`dmirror_devmem_fault()`, the pagemap's `migrate_to_ram`), each through
 * `migrate_vma_setup()` / `migrate_vma_pages()` / `migrate_vma_finalize()`.
 * @module
 */
import {
  EFAULT, EINVAL, ENOENT, migratePfn, migratePfnToPage, migrateVma, mpfnHas, MIGRATE_PFN_MIGRATE, MIGRATE_PFN_VALID, MIGRATE_PFN_WRITE,
  MIGRATE_VMA_SELECT_DEVICE_COHERENT, MIGRATE_VMA_SELECT_DEVICE_PRIVATE, MIGRATE_VMA_SELECT_SYSTEM, PAGE_SIZE, VM_READ, VM_WRITE,
  type DeviceContext, type DevPagemapFault, type MigrateVma, type MmStruct,
} from "@pinlab/core";
import type { DmirrorDevmem } from "./dmirror-devmem.js";

/** `dmirror_select_device()` (lib/test_hmm.c, v6.12): which device pages a migration back collects. */
function dmirrorSelectDevice(mem: DmirrorDevmem): number {
  return mem.type === "device_private" ? MIGRATE_VMA_SELECT_DEVICE_PRIVATE : MIGRATE_VMA_SELECT_DEVICE_COHERENT;
}

/** Pages one `migrate_vma_setup()` call covers (`unsigned long src_pfns[64]`). */
export const MIGRATE_CHUNK_PAGES = 64;

/** What a migrate ioctl did: `cmd->cpages`, or an errno with it. */
export interface DmirrorMigrateResult {
  /** 0 or -errno. */
  readonly ret: number;
  /** `cmd->cpages`. */
  readonly cpages: number;
}

/**
 * Walk [addr, addr + npages pages) one VMA and at most 64 pages at a time, as both migrate
 * ioctls do: a hole or a VMA without VM_READ is -EINVAL (`vma_lookup()`); `step` runs one
 * `migrate_vma_setup()`'d chunk and returns 0 or -errno.
 */
function forEachMigrateChunk(mm: MmStruct, addr: number, npages: number, step: (vmaStart: number, vmaEnd: number, vma: NonNullable<ReturnType<MmStruct["findVma"]>>) => number): number {
  const end = addr + npages * PAGE_SIZE;
  for (let a = addr; a < end;) {
    const vma = mm.findVma(a);
    if (vma === undefined || !vma.contains(a) || (vma.flags & VM_READ) === 0) return -EINVAL;
    const next = Math.min(end, a + MIGRATE_CHUNK_PAGES * PAGE_SIZE, vma.end);
    const r = step(a, next, vma);
    if (r < 0) return r;
    a = next;
  }
  return 0;
}

/**
 * `dmirror_migrate_to_device()` (lib/test_hmm.c, v6.12): MIGRATE_VMA_SELECT_SYSTEM chunks; each
 * collected page (or hole, or zero page) gets a device page holding its data
 * (`dmirror_migrate_alloc_and_copy()`, writable when the source was or, for a hole, the VMA is),
 * then `migrate_vma_pages()`, the device page table (`dmirror_migrate_finalize_and_map()`) and
 * `migrate_vma_finalize()`. The result counts the pages the device now holds
 * (`dmirror_do_read()`): -ENOENT when one of the range is not on the device.
 */
export function dmirrorMigrateToDevice(ctx: DeviceContext<unknown>, mem: DmirrorDevmem, mm: MmStruct, addr: number, npages: number): DmirrorMigrateResult {
  const ret = forEachMigrateChunk(mm, addr, npages, (start, end, vma) => {
    const args = migrateVma(vma, start, end, ctx.name, MIGRATE_VMA_SELECT_SYSTEM);
    const r = ctx.devmem.migrateVmaSetup(args);
    if (r < 0) return r;
    allocAndCopyToDevice(ctx, mem, args);
    ctx.devmem.migrateVmaPages(args);
    for (let i = 0; i < args.npages; i++) {
      const dpage = migratePfnToPage(args.dst[i]);
      if (!mpfnHas(args.src[i], MIGRATE_PFN_MIGRATE) || dpage < 0) continue;
      mem.store(mm, start / PAGE_SIZE + i, { pfn: dpage, write: mpfnHas(args.dst[i], MIGRATE_PFN_WRITE) });
    }
    ctx.devmem.migrateVmaFinalize(args);
    return 0;
  });
  if (ret < 0) return { ret, cpages: 0 };
  const read = mem.doRead(mm, addr / PAGE_SIZE, addr / PAGE_SIZE + npages);
  return { ret: read.missing ? -ENOENT : 0, cpages: read.cpages };
}

/** `dmirror_migrate_alloc_and_copy()` (lib/test_hmm.c, v6.12). */
function allocAndCopyToDevice(ctx: DeviceContext<unknown>, mem: DmirrorDevmem, args: MigrateVma): void {
  for (let i = 0; i < args.npages; i++) {
    if (!mpfnHas(args.src[i], MIGRATE_PFN_MIGRATE)) continue;
    const spage = migratePfnToPage(args.src[i]);
    // "page already in device spage"
    if (spage >= 0 && ctx.devmem.pgmapOf(spage) !== undefined) continue;
    const dpage = mem.allocPage();
    if (dpage < 0) continue;
    if (spage >= 0) ctx.devmem.copyHighpage(dpage, spage);
    else ctx.devmem.clearHighpage(dpage);
    const write = mpfnHas(args.src[i], MIGRATE_PFN_WRITE) || (spage < 0 && (args.vma.flags & VM_WRITE) !== 0);
    args.dst[i] = migratePfn(dpage) + (write ? MIGRATE_PFN_WRITE : 0);
  }
}

/**
 * `dmirror_devmem_fault_alloc_and_copy()` (lib/test_hmm.c, v6.12): each collected device page
 * gets a system page (`alloc_page_vma()`), leaves the device page table and has its data copied
 * back.
 */
function allocAndCopyToSystem(ctx: DeviceContext<unknown>, mem: DmirrorDevmem, args: MigrateVma): void {
  for (let i = 0; i < args.npages; i++) {
    const spage = migratePfnToPage(args.src[i]);
    if (spage < 0 || !mpfnHas(args.src[i], MIGRATE_PFN_MIGRATE)) continue;
    const addr = args.start + i * PAGE_SIZE;
    const dpage = ctx.devmem.allocPageVma(args.vma, addr);
    if (dpage < 0) continue;
    mem.erase(args.vma.mm, addr / PAGE_SIZE);
    ctx.devmem.copyHighpage(dpage, spage);
    args.dst[i] = migratePfn(dpage) + (mpfnHas(args.src[i], MIGRATE_PFN_WRITE) ? MIGRATE_PFN_WRITE : 0);
  }
}

/**
 * `dmirror_migrate_to_system()` (lib/test_hmm.c, v6.12): MIGRATE_VMA_SELECT_DEVICE_PRIVATE (or
 * _COHERENT) chunks of this device's pages back to system memory; `cpages` counts the pages that moved
 * (`dmirror_successful_migrated_pages()`).
 */
export function dmirrorMigrateToSystem(ctx: DeviceContext<unknown>, mem: DmirrorDevmem, mm: MmStruct, addr: number, npages: number): DmirrorMigrateResult {
  let cpages = 0;
  const ret = forEachMigrateChunk(mm, addr, npages, (start, end, vma) => {
    const args = migrateVma(vma, start, end, ctx.name, dmirrorSelectDevice(mem));
    const r = ctx.devmem.migrateVmaSetup(args);
    if (r < 0) return r;
    allocAndCopyToSystem(ctx, mem, args);
    ctx.devmem.migrateVmaPages(args);
    for (let i = 0; i < args.npages; i++) if (mpfnHas(args.src[i], MIGRATE_PFN_VALID) && mpfnHas(args.src[i], MIGRATE_PFN_MIGRATE)) cpages++;
    ctx.devmem.migrateVmaFinalize(args);
    return 0;
  });
  return { ret, cpages };
}

/**
 * `dmirror_devmem_fault()` (lib/test_hmm.c, v6.12), the pagemap's `migrate_to_ram`: migrate the
 * one faulting page back to system memory (`fault_page` set, so its fault reference is
 * expected). 0, or -EFAULT (VM_FAULT_SIGBUS) when `migrate_vma_setup()` fails.
 */
export function dmirrorDevmemFault(ctx: DeviceContext<unknown>, mem: DmirrorDevmem, vmf: DevPagemapFault): number {
  const start = vmf.vpn * PAGE_SIZE;
  const args = migrateVma(vmf.vma, start, start + PAGE_SIZE, ctx.name, dmirrorSelectDevice(mem), vmf.page);
  if (ctx.devmem.migrateVmaSetup(args) < 0) return -EFAULT;
  allocAndCopyToSystem(ctx, mem, args);
  ctx.devmem.migrateVmaPages(args);
  ctx.devmem.migrateVmaFinalize(args);
  return 0;
}
