/**
 * A CPU fault on a device-private entry (`do_swap_page()`'s device-private branch, mm/memory.c,
 * Linux v6.12): the page lives in device memory the CPU cannot address, so its driver must bring
 * it back first.
 * @module
 */
import { EFAULT } from "../errno.js";
import type { MmContext } from "./context.js";
import { devicePrivateEntryPfn } from "./device-entry.js";
import { count, type FaultStats } from "./fault-flags.js";
import type { Vma } from "./mm-types.js";

/**
 * `do_swap_page()`'s device-private branch (mm/memory.c, v6.12): take a reference on the device
 * page (`get_page(vmf->page)`), let its pagemap bring it back (`pgmap->ops->migrate_to_ram(vmf)`,
 * which migrates it to system memory with `migrate_vma_setup()` / `_pages()` / `_finalize()`),
 * drop the reference. The fault then returns and the access retries on what the driver left in
 * the PTE (handle_mm_fault does that retry). Counts `device`; -EFAULT is VM_FAULT_SIGBUS.
 */
export function doDevicePrivateFault(k: MmContext, vma: Vma, vpn: number, fflags: number, stats: FaultStats): number {
  const page = devicePrivateEntryPfn(vma.mm.pageTable, vpn);
  const pgmap = page >= 0 ? k.pgmaps.pgmapOf(page) : undefined;
  if (pgmap === undefined) return -EFAULT;
  k.memory.get(page);
  const ret = pgmap.ops.migrateToRam({ vma, vpn, page, flags: fflags });
  k.memory.put(page);
  count(stats, "device");
  return ret;
}
