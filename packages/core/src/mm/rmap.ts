/**
 * The reverse map: from a frame to every PTE that maps it (`rmap_walk`, mm/rmap.c). Anonymous
 * pages are found through their anon_vma, file pages through the file's `i_mmap`. Both find the
 * page at `vma_address()` (mm/internal.h, v6.12): the VMA's start plus the page's index less the
 * VMA's `vm_pgoff`. An anonymous page's index is `linear_page_index()` of where it was first
 * mapped (`__folio_set_anon()`, mm/rmap.c), and an anonymous VMA's `vm_pgoff` starts as its
 * address in pages (`do_mmap()`), so mremap can move a VMA and keep its pages' indices: the moved
 * VMA keeps the pgoff (`copy_vma()`, mm/vma.c), the walk finds them at their new address.
 * @module
 */
import type { MmContext } from "./context.js";
import { PG_ANON, PG_FILE } from "../memory/page-flags.js";
import type { Vma } from "./mm-types.js";
import { devicePrivateEntryPfn } from "./device-entry.js";

/** Called for each mapping found: the VMA, the virtual page number and the PTE bits. */
export type RmapVisitor = (vma: Vma, vpn: number, bits: number) => void;

/** Visit every PTE mapping frame `pfn` (`rmap_walk`, mm/rmap.c, v6.12). The visitor may change or clear the PTE it is given. */
export function rmapWalk(k: MmContext, pfn: number, visit: RmapVisitor): void {
  const f = k.frames;
  const flags = f.flags[pfn];
  if ((flags & PG_ANON) !== 0) {
    const av = k.anonVmas.get(f.mapping[pfn]);
    if (av === undefined) return;
    const index = f.index[pfn];
    for (const vma of [...av.vmas]) {
      if (!vma.mm.live) continue;
      const vpn = vma.vpnOfIndex(index);
      if (vpn < 0) continue;
      const pt = vma.mm.pageTable;
      // page_vma_mapped_walk() (mm/page_vma_mapped.c, v6.12) finds a device-private entry too.
      if (pt.pfn(vpn) === pfn || devicePrivateEntryPfn(pt, vpn) === pfn) visit(vma, vpn, pt.bits(vpn));
    }
  } else if ((flags & PG_FILE) !== 0) {
    const inode = k.inodes.get(f.mapping[pfn]);
    if (inode === undefined) return;
    const index = f.index[pfn];
    for (const vma of [...inode.mappings]) {
      if (!vma.mm.live) continue;
      const vpn = vma.vpnOfIndex(index);
      if (vpn < 0) continue;
      const pt = vma.mm.pageTable;
      if (pt.pfn(vpn) === pfn) visit(vma, vpn, pt.bits(vpn));
    }
  }
}

/** Every (vma, vpn) mapping `pfn`, collected. */
export function rmapList(k: MmContext, pfn: number): { vma: Vma; vpn: number; bits: number }[] {
  const out: { vma: Vma; vpn: number; bits: number }[] = [];
  rmapWalk(k, pfn, (vma, vpn, bits) => out.push({ vma, vpn, bits }));
  return out;
}
