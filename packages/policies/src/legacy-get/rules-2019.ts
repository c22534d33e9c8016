/**
 * The GUP rules of Linux ~v5.3 (2019), before FOLL_PIN.
 * @module
 */
import { EINVAL, EOPNOTSUPP, FOLL_LONGTERM, FOLL_REMOTE, ZoneId, type PhysicalMemory, type Vma } from "@pinlab/core";
import { vmaIsFsdax } from "../shared/check-vma-longterm.js";

/**
 * Flag rules of the 2019 kernel. FOLL_LONGTERM needs no FOLL_PIN (there was none):
 * `get_user_pages()` routed it into `__gup_longterm_locked()`. But `get_user_pages_remote()`
 * refused FOLL_LONGTERM with -EINVAL ("FIXME: Current FOLL_LONGTERM behavior is incompatible with
 * FAULT_FLAG_ALLOW_RETRY because of the FS DAX check requirement on vmas", v5.2 to v5.5; John
 * Hubbard relaxed it in 2020). Returns an errno or 0.
 */
export function checkFlags2019(flags: number): number {
  return (flags & FOLL_LONGTERM) !== 0 && (flags & FOLL_REMOTE) !== 0 ? EINVAL : 0;
}

/**
 * The long-term VMA rule of `__gup_longterm_locked()` (mm/gup.c, v5.3): `vma_is_fsdax()` gives
 * EOPNOTSUPP, unless `fsdaxLongterm` models a kernel before v4.19 that had no such check. There
 * is no writable-file-mapping ban (it came in 2023), so a long-term writable pin of a shared ext4
 * mapping is allowed.
 */
export function checkLongtermVma2019(vma: Vma, fsdaxLongterm: boolean): number {
  return vmaIsFsdax(vma) && !fsdaxLongterm ? EOPNOTSUPP : 0;
}

/**
 * `check_and_migrate_cma_pages()` (mm/gup.c, v5.3) with `memalloc_nocma_save()`: only pages in a
 * CMA area must move before a long-term pin stays. ZONE_MOVABLE joined later (Pavel Tatashin's
 * "prohibit pinning pages in ZONE_MOVABLE" series, 2021; release not verified), so here a
 * long-term pin may strand a ZONE_MOVABLE page (the oracle's `longterm_in_movable` hazard).
 */
export function isCmaPinnable2019(memory: PhysicalMemory, pfn: number): boolean {
  return memory.zoneOf(pfn) !== ZoneId.CMA;
}
