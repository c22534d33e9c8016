/**
 * Where a new mapping goes: `__get_unmapped_area()` (mm/mmap.c, v6.12) with x86-64's
 * `arch_get_unmapped_area_topdown()` (arch/x86/kernel/sys_x86_64.c) and hugetlbfs's
 * `generic_hugetlb_get_unmapped_area()` (fs/hugetlbfs/inode.c) behind it. MAP_FIXED and
 * MAP_FIXED_NOREPLACE take the address as given, checked; without them an address is a hint,
 * used when the range there is free, else the top-down search picks one.
 * @module
 */
import { EINVAL, ENOMEM, EPERM } from "../errno.js";
import { HPAGE_PMD_SIZE, PAGE_SIZE } from "../sim/units.js";
import { MMAP_MIN_ADDR, TASK_SIZE, type MmStruct } from "./mm-types.js";

/**
 * How mmap treats its address: `fixed` is MAP_FIXED (whatever is mapped there is unmapped first,
 * `__mmap_region()`), `noreplace` MAP_FIXED_NOREPLACE (-EEXIST when anything is mapped there),
 * `hint` neither (the address is a hint).
 */
export type MmapPlacement = "fixed" | "noreplace" | "hint";

/** `cap_mmap_addr()` behind `security_mmap_addr()` (security/commoncap.c, v6.12): no mapping below `mmap_min_addr` without CAP_SYS_RAWIO. 0 or -EPERM. */
export function capMmapAddr(addr: number): number {
  return addr < MMAP_MIN_ADDR ? -EPERM : 0;
}

/**
 * `round_hint_to_min()` (mm/mmap.c, v6.12): a hint rounded down to a page, and raised to
 * `mmap_min_addr` when it is below it (0 stays 0: no hint).
 */
export function roundHintToMin(hint: number): number {
  const h = hint - (hint % PAGE_SIZE);
  return h !== 0 && h < MMAP_MIN_ADDR ? MMAP_MIN_ADDR : h;
}

/** What to place: the page-aligned length, the address asked for (if any), how to treat it, and the alignment wanted. */
export interface UnmappedAreaRequest {
  /** Length in bytes, already rounded up to pages (or 2 MiB for hugetlb). */
  readonly length: number;
  /** The `addr` argument of mmap, or undefined (NULL). */
  readonly addr?: number;
  /** MAP_FIXED, MAP_FIXED_NOREPLACE or a hint. */
  readonly placement: MmapPlacement;
  /** A hugetlbfs mapping: addresses are aligned to its huge page size (`huge_page_size()`). */
  readonly hugetlb: boolean;
  /** (2.0) That huge page size in bytes: 2 MiB when absent, 1 GiB for a `hugetlb: 1GiB` mapping. */
  readonly hugePageSize?: number;
  /**
   * (model) An alignment for an address the kernel chooses, a power of two: a hint is rounded up
   * to it and the search returns a multiple of it (`vm_unmapped_area_info.align_mask`; userspace
   * gets the same by mapping more and unmapping the ends).
   */
  readonly align?: number;
  /**
   * How v6.12 aligns a mapping it places to PMD size (`thp_get_unmapped_area_vmflags()`): `anon`
   * for a private anonymous (or driver PFNMAP) mapping, which `__get_unmapped_area()` sends there
   * when there is no hint and the length is a multiple of 2 MiB; `file` for an ext4 or FS-DAX file,
   * whose `->get_unmapped_area` is `thp_get_unmapped_area()` (the file offset counts); absent for
   * shmem and hugetlbfs, which place their own way.
   */
  readonly thp?: { readonly kind: "anon" | "file"; readonly offset: number };
}

/**
 * `__thp_get_unmapped_area()` (mm/huge_memory.c, v6.12) with PMD_SIZE: search for the length
 * plus 2 MiB, top-down, and return the address inside it at which file offset `off` lands on a
 * 2 MiB boundary (anonymous memory has offset 0); when the search lands aligned already, the
 * top-down search returns the area 2 MiB higher (`ret + size`, MMF_TOPDOWN). 0 when the mapping
 * holds no whole 2 MiB of the file, or the padded length finds no room (the caller then searches
 * for the plain length).
 */
export function thpGetUnmappedArea(mm: MmStruct, length: number, off: number, hint: number | undefined): number {
  const size = HPAGE_PMD_SIZE;
  const offEnd = off + length;
  const offAlign = Math.ceil(off / size) * size;
  if (offEnd <= offAlign || offEnd - offAlign < size) return 0;
  const lenPad = length + size;
  let ret: number;
  if (hint !== undefined && hint > 0 && hint <= TASK_SIZE - lenPad && mm.isFree(hint, hint + lenPad)) ret = hint;
  else ret = mm.getUnmappedArea(lenPad, PAGE_SIZE);
  if (ret < 0) return 0;
  if (ret === hint) return ret;
  const offSub = (((off - ret) % size) + size) % size;
  return offSub === 0 ? ret + size : ret + offSub;
}

/**
 * `__get_unmapped_area()` (mm/mmap.c, v6.12): the start of the new mapping, or -errno.
 * - MAP_FIXED / MAP_FIXED_NOREPLACE (`do_mmap()` turns NOREPLACE into FIXED for this call): the
 *   arch code returns `addr` unchecked; hugetlbfs first refuses an address that is not aligned to
 *   its huge page size, 2 MiB or 1 GiB (`prepare_hugepage_range()`, -EINVAL); then `addr > TASK_SIZE - len` is -ENOMEM, an
 *   address that is not page aligned -EINVAL (`offset_in_page()`), one below `mmap_min_addr`
 *   -EPERM (`security_mmap_addr()`). Whether the range is free is the caller's question.
 * - A hint (`round_hint_to_min()`, then `ALIGN()` to the huge page size for hugetlbfs): used when
 *   it fits below TASK_SIZE and nothing is mapped there (`mmap_address_hint_valid()`,
 *   `find_vma()`); otherwise, and without one, the top-down search below `mmap_base`, -ENOMEM
 *   when nothing is free.
 */
export function getUnmappedArea(mm: MmStruct, req: UnmappedAreaRequest): number {
  const { length, addr } = req;
  if (length > TASK_SIZE) return -ENOMEM;
  if (addr !== undefined && req.placement !== "hint") {
    // (model) No unsigned long is NaN or fractional: refused as a bad argument. A negative
    // number stands for a huge unsigned one.
    if (!Number.isInteger(addr) || (req.hugetlb && addr % (req.hugePageSize ?? HPAGE_PMD_SIZE) !== 0)) return -EINVAL;
    if (addr < 0 || addr > TASK_SIZE - length) return -ENOMEM;
    if (addr % PAGE_SIZE !== 0) return -EINVAL;
    return capMmapAddr(addr) || addr;
  }
  const align = Math.max(req.align ?? PAGE_SIZE, req.hugetlb ? (req.hugePageSize ?? HPAGE_PMD_SIZE) : PAGE_SIZE);
  const thp = req.thp;
  if (thp !== undefined && req.align === undefined) {
    const hint = addr !== undefined && Number.isInteger(addr) && addr > 0 ? roundHintToMin(addr) : undefined;
    // Anonymous memory goes this way only without a hint and for whole 2 MiB (__get_unmapped_area()).
    if (thp.kind === "file" || (hint === undefined && length % HPAGE_PMD_SIZE === 0)) {
      const at = thpGetUnmappedArea(mm, length, thp.offset, hint);
      if (at > 0) return at;
    }
  }
  if (addr !== undefined && Number.isInteger(addr) && addr > 0) {
    const hint = Math.ceil(roundHintToMin(addr) / align) * align;
    if (hint !== 0 && hint <= TASK_SIZE - length && mm.isFree(hint, hint + length)) return hint;
  }
  const start = mm.getUnmappedArea(length, align);
  return start < 0 ? -ENOMEM : start;
}
