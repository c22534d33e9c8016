/**
 * Which THP orders a VMA may have (`thp_vma_allowable_orders()`, include/linux/huge_mm.h, and
 * `__thp_vma_allowable_orders()`, mm/huge_memory.c, v6.12), for the anonymous memory the model
 * gives THPs to, and where a folio of an order fits (`thp_vma_suitable_order()`).
 * @module
 */
import { ANON_THP_ORDERS, thpOrders } from "../config/thp-config.js";
import type { MmContext } from "./context.js";
import type { Vma } from "./mm-types.js";
import { VM_HUGEPAGE, VM_HUGETLB, VM_IO, VM_NOHUGEPAGE, VM_PFNMAP } from "./vm-flags.js";

/** TVA_IN_PF: asked from a page fault. */
export const TVA_IN_PF = 1 << 0;
/** TVA_ENFORCE_SYSFS: obey /sys/kernel/mm/transparent_hugepage (faults and khugepaged; MADV_COLLAPSE does not). */
export const TVA_ENFORCE_SYSFS = 1 << 1;

/** Every order anonymous memory may have, as a mask (`THP_ORDERS_ALL_ANON`: orders 2 to 9). */
const ALL_ANON = ANON_THP_ORDERS.reduce((m, o) => m | (1 << o), 0);

/**
 * `thp_vma_suitable_order()` (include/linux/huge_mm.h, v6.12) for anonymous memory: the block of
 * `order` aligned around page `vpn` lies inside `vma`.
 */
export function thpVmaSuitableOrder(vma: Vma, vpn: number, order: number): boolean {
  const nr = 1 << order;
  const base = vpn - (vpn & (nr - 1));
  return base >= vma.startVpn && base + nr <= vma.endVpn;
}

/**
 * `thp_vma_allowable_orders(vma, vm_flags, tva_flags, orders)` (v6.12) for the orders in the mask
 * `orders`: with TVA_ENFORCE_SYSFS only the sizes the machine enables, and in `madvise` mode only
 * where MADV_HUGEPAGE was given; never where MADV_NOHUGEPAGE was (`vma_thp_disabled()`), never in
 * file, hugetlb, PFNMAP or IO mappings (the model has no file THP; `VM_NO_KHUGEPAGED` outside a
 * fault). Outside a fault the VMA must hold a whole block of one of the orders (from its end) and
 * have an anon_vma. Returns the allowed orders as a mask.
 */
export function thpVmaAllowableOrders(k: MmContext, vma: Vma, tvaFlags: number, orders: number): number {
  if (!vma.isAnonymous) return 0;
  const inPf = (tvaFlags & TVA_IN_PF) !== 0;
  if ((tvaFlags & TVA_ENFORCE_SYSFS) !== 0) {
    const mode = k.thp.enabled;
    if (!(mode === "always" || (mode === "madvise" && (vma.flags & VM_HUGEPAGE) !== 0))) return 0;
    orders &= thpOrders(k.thp);
  }
  orders &= ALL_ANON;
  if (orders === 0 || (vma.flags & VM_NOHUGEPAGE) !== 0) return 0;
  if (!inPf) {
    if ((vma.flags & (VM_HUGETLB | VM_IO | VM_PFNMAP)) !== 0) return 0;
    // The highest order whose block fits at the VMA's end, and every order below it, stay.
    for (let o = 31 - Math.clz32(orders); o >= 0 && orders !== 0; o--) {
      if ((orders & (1 << o)) === 0) continue;
      if (thpVmaSuitableOrder(vma, vma.endVpn - (1 << o), o)) break;
      orders &= ~(1 << o);
    }
    if (orders === 0 || vma.anonVma === null) return 0;
  }
  return orders;
}
