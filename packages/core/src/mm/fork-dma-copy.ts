/**
 * What fork does with a page a device may hold: the era's decision to copy it for the child at
 * once (`copy_present_page()`, mm/memory.c) instead of sharing it copy-on-write.
 * @module
 */
import type { MmContext } from "./context.js";
import { PG_ANON_EXCLUSIVE } from "../memory/page-flags.js";
import type { MmStruct, Vma } from "./mm-types.js";
import { mapNewAnon } from "./pte-ops.js";
import { writeBits } from "./write-bits.js";

/**
 * `folio_needs_cow_for_dma()` (include/linux/mm.h, v6.12): must fork copy this exclusive anon
 * folio for the child now? Only in an mm that has pinned (MMF_HAS_PINNED), and then as the
 * policy answers (`folio_maybe_dma_pinned()` in v6.12).
 */
export function folioNeedsCowForDma(k: MmContext, mm: MmStruct, head: number): boolean {
  return mm.hasPinned && k.policy.forkMustCopy(mm, head);
}

/**
 * Must fork give the child its own copy of the anonymous page at `pfn` now, as the era decides
 * (`EraRules.forkPinned`): never up to v5.8 (`copy_one_pte()` shares every page); from v5.9 when
 * the page may be DMA-pinned in an mm that used FOLL_PIN (`copy_present_page()`, "mm: Do early
 * cow for pinned pages during fork() for ptes", 70e806e4e645); from v5.19 only for a
 * PageAnonExclusive page (`__folio_try_dup_anon_rmap()` refusing with -EBUSY, v6.12's form).
 * The kernel gave hugetlb its early copy in v5.12 (4eae4efa2c29); the model applies it from v5.9.
 */
export function forkCopiesForDma(k: MmContext, mm: MmStruct, pfn: number): boolean {
  const rule = k.era.forkPinned;
  if (rule === "share") return false;
  if (rule === "anon-exclusive" && (k.frames.flags[pfn] & PG_ANON_EXCLUSIVE) === 0) return false;
  return folioNeedsCowForDma(k, mm, k.frames.head(pfn));
}

/**
 * `copy_present_page()` (mm/memory.c, v6.12): give the child a private copy of the maybe-pinned
 * page `pfn` at `vpn` now; the parent keeps the pinned page writable and exclusive, so no later
 * COW can take it away from the device. False when no page can be allocated: fork then fails
 * with -ENOMEM (a pinned page is never shared).
 */
export function copyPresentPage(k: MmContext, src: Vma, dst: Vma, vpn: number, pfn: number): boolean {
  const npfn = k.memory.allocFolio(0);
  if (npfn < 0) return false;
  k.memory.contents.copy(pfn, npfn);
  mapNewAnon(k, dst, vpn, npfn, writeBits(dst));
  k.observe("onForkCopy", src.mm, vpn, pfn);
  return true;
}
