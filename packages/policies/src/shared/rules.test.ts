import {
  EFAULT, EOPNOTSUPP, FOLL_FORCE, FOLL_LONGTERM, FOLL_PIN, FOLL_WRITE, HPAGE_PMD_NR, PAGE_SIZE, PG_ANON_EXCLUSIVE, PG_FILE,
  VM_HUGEPAGE, type Inode,
} from "@pinlab/core";
import { describe, expect, it } from "vitest";
import { lab, policyKernel } from "../test-support/lab.js";
import { checkVmaLongtermV612 } from "./check-vma-longterm.js";
import { gupFastFolioAllowed } from "./gup-fast-folio-allowed.js";
import { gupMustUnshare } from "./gup-must-unshare.js";
import { folioIsLongtermPinnable } from "./longterm-pinnable.js";
import { vmaNeedsDirtyTracking, writableFileMappingAllowed } from "./writable-file-mapping.js";

const PIN = FOLL_PIN;
const LT = FOLL_PIN | FOLL_LONGTERM;
const LTW = FOLL_PIN | FOLL_LONGTERM | FOLL_WRITE;

/**
 * One process with one VMA of each kind (address order, top-down):
 *   anon   private anonymous, written (exclusive pages)
 *   cow    private anonymous, written; tests clear its anon-exclusive mark as fork would
 *   ext4s  MAP_SHARED rw of an ext4 file      ext4p  MAP_PRIVATE of the same file
 *   ext4r  MAP_SHARED read-only of the file   shm    MAP_SHARED|MAP_ANONYMOUS (internal shmem)
 *   dax    MAP_SHARED rw of an FS-DAX file    thp    a PMD-sized THP
 */
function world() {
  const l = lab("pin-bias", {}, { memory: "32MiB", movable: "4MiB", cma: "4MiB", pmem: "4MiB" });
  const k = l.k;
  const p = l.spawn("p");
  const ext4 = k.createFile("data", "ext4", 4 * PAGE_SIZE);
  const pm = k.createFile("pm", "fsdax", 4 * PAGE_SIZE);
  const anon = l.map(p, 1);
  l.touch(p, anon, 1, true);
  const cow = l.map(p, 1);
  l.touch(p, cow, 1, true);
  const ext4s = l.map(p, 1, { shared: true, file: ext4 });
  l.touch(p, ext4s, 1, true);
  const ext4p = l.map(p, 1, { file: ext4, offset: PAGE_SIZE });
  l.touch(p, ext4p, 1, false);
  const ext4r = l.map(p, 1, { shared: true, write: false, file: ext4, offset: 2 * PAGE_SIZE });
  l.touch(p, ext4r, 1, false);
  const shm = l.map(p, 1, { shared: true });
  l.touch(p, shm, 1, true);
  const dax = l.map(p, 1, { shared: true, file: pm });
  l.touch(p, dax, 1, true);
  const thpArea = l.map(p, 2 * HPAGE_PMD_NR);
  p.mm!.findVma(thpArea)!.flags |= VM_HUGEPAGE;
  const thp = Math.ceil(thpArea / (HPAGE_PMD_NR * PAGE_SIZE)) * HPAGE_PMD_NR * PAGE_SIZE;
  l.touch(p, thp, 1, true);
  const vma = (a: number) => p.mm!.findVma(a)!;
  const pfn = (a: number) => l.pfnAt(p, a);
  return { l, k, p, anon, cow, ext4s, ext4p, ext4r, shm, dax, thp, vma, pfn, inodeOf: (id: number): Inode | undefined => k.inodes.get(id) };
}

describe("gup_must_unshare (mm/internal.h, v6.12)", () => {
  it("concerns only FOLL_PIN without FOLL_WRITE; anon pages by exclusivity; file pages only long-term in COW mappings", () => {
    const w = world();
    const f = w.k.frames;
    // An exclusive anon page: never.
    expect(gupMustUnshare(f, w.vma(w.anon), PIN, w.pfn(w.anon))).toBe(false);
    // The same page once not exclusive (as after fork).
    f.flags[w.pfn(w.cow)] &= ~PG_ANON_EXCLUSIVE;
    expect(gupMustUnshare(f, w.vma(w.cow), PIN, w.pfn(w.cow))).toBe(true);
    expect(gupMustUnshare(f, w.vma(w.cow), PIN | FOLL_WRITE, w.pfn(w.cow))).toBe(false);
    expect(gupMustUnshare(f, w.vma(w.cow), 0, w.pfn(w.cow))).toBe(false);
    // File pages: short-term never; long-term in a private mapping yes; in a shared one no; GUP-fast (no VMA) yes.
    expect(gupMustUnshare(f, w.vma(w.ext4p), PIN, w.pfn(w.ext4p))).toBe(false);
    expect(gupMustUnshare(f, w.vma(w.ext4p), LT, w.pfn(w.ext4p))).toBe(true);
    expect(gupMustUnshare(f, w.vma(w.ext4s), LT, w.pfn(w.ext4s))).toBe(false);
    expect(gupMustUnshare(f, undefined, LT, w.pfn(w.ext4s))).toBe(true);
    // The zero page is not anonymous: long-term R/O pins of it in a private mapping unshare.
    expect(gupMustUnshare(f, w.vma(w.cow), LT, w.k.memory.zeroPfn)).toBe(true);
  });
});

describe("vma_needs_dirty_tracking / writable_file_mapping_allowed (v6.12)", () => {
  it("bans long-term writable pins of shared dirty-tracked mappings only", () => {
    const w = world();
    expect(vmaNeedsDirtyTracking(w.vma(w.ext4s))).toBe(true);
    expect(vmaNeedsDirtyTracking(w.vma(w.ext4p))).toBe(false);
    expect(vmaNeedsDirtyTracking(w.vma(w.ext4r))).toBe(false);
    expect(vmaNeedsDirtyTracking(w.vma(w.shm))).toBe(false);
    expect(vmaNeedsDirtyTracking(w.vma(w.anon))).toBe(false);
    expect(vmaNeedsDirtyTracking(w.vma(w.dax))).toBe(true);
    expect(writableFileMappingAllowed(w.vma(w.ext4s), LTW)).toBe(false);
    expect(writableFileMappingAllowed(w.vma(w.ext4s), PIN | FOLL_WRITE)).toBe(true);
    expect(writableFileMappingAllowed(w.vma(w.shm), LTW)).toBe(true);
  });

  it("check_vma_flags' long-term part: FS-DAX first (EOPNOTSUPP), then the writable file ban (EFAULT)", () => {
    const w = world();
    expect(checkVmaLongtermV612(w.vma(w.dax), LT)).toBe(EOPNOTSUPP);
    expect(checkVmaLongtermV612(w.vma(w.dax), LTW)).toBe(EOPNOTSUPP);
    expect(checkVmaLongtermV612(w.vma(w.ext4s), LTW)).toBe(EFAULT);
    expect(checkVmaLongtermV612(w.vma(w.ext4s), LT)).toBe(0);
    expect(checkVmaLongtermV612(w.vma(w.ext4p), LTW | FOLL_FORCE)).toBe(0);
    expect(checkVmaLongtermV612(w.vma(w.anon), LTW)).toBe(0);
    expect(checkVmaLongtermV612(w.vma(w.shm), LTW)).toBe(0);
  });
});

describe("gup_fast_folio_allowed (mm/gup.c, v6.12)", () => {
  it("lets anon, hugetlb and shmem through a long-term writable pin; other file folios fall back", () => {
    const w = world();
    const ok = (a: number, flags: number) => gupFastFolioAllowed(w.k.frames, w.inodeOf, w.pfn(a), flags);
    expect(ok(w.anon, LTW)).toBe(true);
    expect(ok(w.thp, LTW)).toBe(true);
    expect(ok(w.shm, LTW)).toBe(true);
    expect(ok(w.ext4s, LTW)).toBe(false);
    expect(ok(w.dax, LTW)).toBe(false);
    // Without all three flags, file folios pass.
    expect(ok(w.ext4s, LT)).toBe(true);
    expect(ok(w.ext4s, PIN | FOLL_WRITE)).toBe(true);
    // Without the inode lookup, shmem cannot be told apart: fall back.
    expect(gupFastFolioAllowed(w.k.frames, undefined, w.pfn(w.shm), LTW)).toBe(false);
  });

  it("falls back on a truncated small folio (NULL mapping), for any flags (CONFIG_SECRETMEM reads it)", () => {
    const w = world();
    const pfn = w.pfn(w.ext4s);
    const saved = w.k.frames.flags[pfn];
    w.k.frames.flags[pfn] &= ~PG_FILE; // as if truncated
    expect(gupFastFolioAllowed(w.k.frames, w.inodeOf, pfn, PIN)).toBe(false);
    w.k.frames.flags[pfn] = saved;
  });
});

describe("folio_is_longterm_pinnable (include/linux/mm.h, v6.12)", () => {
  it("refuses CMA and ZONE_MOVABLE, accepts NORMAL, FS-DAX and the zero page", () => {
    const w = world();
    const z = w.k.memory.zones;
    expect(folioIsLongtermPinnable(w.k.memory, z[0].start + 100)).toBe(true);
    expect(folioIsLongtermPinnable(w.k.memory, z[1].start)).toBe(false);
    expect(folioIsLongtermPinnable(w.k.memory, z[2].start)).toBe(false);
    expect(folioIsLongtermPinnable(w.k.memory, z[3].start)).toBe(true);
    expect(folioIsLongtermPinnable(w.k.memory, w.k.memory.zeroPfn)).toBe(true);
  });

  it("refuses device-coherent memory (\"coherent device memory must always allow eviction\")", () => {
    const inst = policyKernel("pin-bias", {}, { memory: "4MiB", deviceMemory: "1MiB" });
    const pgmap = inst.kernel.pgmaps.memremapPages("device_coherent", "drv", { pageFree: () => undefined, migrateToRam: () => 0 }, 4)!;
    inst.kernel.pgmaps.zoneDevicePageInit(pgmap.start);
    expect(folioIsLongtermPinnable(inst.kernel.memory, pgmap.start)).toBe(false);
  });
});
