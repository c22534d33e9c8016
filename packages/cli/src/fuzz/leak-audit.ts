/**
 * The leak audit after the cleanup tail ({@link cleanupTail}): with every handle released, every
 * device given back what it held and every process gone, the kernel must be back to its files'
 * page caches, and every swap slot free. Each leak is a sentence naming what still holds what.
 * @module
 */
import { PG_ALLOC, PG_RESERVED, type KernelInstance } from "@pinlab/core";

/** What the audit needs besides the kernel: `pinned_vm` per process read at the tail's audit step (before the exits). */
export interface AuditInput {
  /** The kernel after the tail. */
  readonly inst: KernelInstance;
  /** `mm->pinned_vm` of each live process at the audit step. */
  readonly pinnedVm: Readonly<Record<string, number>>;
}

/** Every leak found (empty: nothing leaked). */
export function auditLeaks({ inst, pinnedVm }: AuditInput, limit = 12): string[] {
  const out: string[] = [];
  const add = (s: string) => void (out.length < limit && out.push(s));
  const k = inst.kernel;
  const v = k.vmstat;
  if (v.nr_foll_pin_acquired !== v.nr_foll_pin_released) {
    add(`nr_foll_pin_acquired ${v.nr_foll_pin_acquired} != nr_foll_pin_released ${v.nr_foll_pin_released}: pins outstanding after every holder released`);
  }
  if (v.nr_gup_get_acquired !== v.nr_gup_get_released) {
    add(`nr_gup_get_acquired ${v.nr_gup_get_acquired} != nr_gup_get_released ${v.nr_gup_get_released}: FOLL_GET references outstanding`);
  }
  for (const [proc, pages] of Object.entries(pinnedVm)) if (pages !== 0) add(`process ${proc}: pinned_vm is ${pages} pages after every pin was released`);
  for (const u of k.users.values()) if (u.lockedVm !== 0) add(`user ${u.uid}: locked_vm is ${u.lockedVm} pages after every pin was released`);
  for (const p of k.processes.values()) {
    if (p.mm !== null && p.mm.live) add(`process ${p.name} still has a live mm after exit`);
    const pins = k.policy.filePins(p.pid);
    if (pins.length > 0) add(`process ${p.name} (pid ${p.pid}) still holds ${pins.length} file pin(s) after exit`);
  }
  for (const inode of k.inodes.values()) {
    if (inode.leases.all.length > 0) add(`file ${inode.name}: ${inode.leases.all.length} lease(s) survive every holder's exit`);
    if (inode.mappings.size > 0) add(`file ${inode.name}: still mapped by ${inode.mappings.size} VMA(s) after every process exited`);
  }
  for (const [name, dev] of inst.devices) {
    const held = dev.view().frames.length;
    if (held > 0) add(`device ${name} (${dev.kind}) still holds ${held} frame(s) after its releasing actions`);
  }
  for (const [holder, recs] of inst.oracle.holdings()) if (recs.size > 0) add(`holder ${holder} still holds ${recs.size} frame(s) in the oracle's records`);
  if (k.swap !== null && k.swap.inuse > 0) add(`the swap device still has ${k.swap.inuse} slot(s) in use (${k.swap.cache.size} in the swap cache) after every process exited`);
  const stray = strayFrames(inst);
  if (stray.length > 0) add(`${stray.length} allocated frame(s) belong to no page cache, reservation or live mapping: ${stray.slice(0, 8).join(", ")}${stray.length > 8 ? ", ..." : ""}`);
  return out;
}

/** Allocated frames (folio heads) that no file's page cache holds and that are not reserved (zero page, huge zero folio, CMA allocations). */
export function strayFrames(inst: KernelInstance): number[] {
  const k = inst.kernel;
  const f = k.frames;
  const cached = new Set<number>();
  for (const inode of k.inodes.values()) for (const pfn of inode.cache.values()) cached.add(f.head(pfn));
  const out: number[] = [];
  for (let pfn = 0; pfn < f.flags.length; pfn++) {
    const fl = f.flags[pfn];
    if ((fl & PG_ALLOC) === 0 || (fl & PG_RESERVED) !== 0) continue;
    // The huge zero folio stays until its shrinker runs (on reclaim), used or not: a kernel allocation.
    if (pfn === k.memory.hugeZeroPfn) continue;
    const head = f.head(pfn);
    if (head !== pfn) continue;
    if (!cached.has(head)) out.push(pfn);
  }
  return out;
}
