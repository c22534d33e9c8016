/**
 * The invariant checker: a slow, thorough audit of a kernel's state that tests (and scenarios
 * with checking on) run after every step. Each violation is a sentence naming the frame, mm or
 * counter involved.
 *
 * 1. Every present PTE lies inside a VMA of its mm, maps an allocated frame, and agrees with the
 *    reverse map (the frame's anon_vma or file finds this PTE).
 * 2. Each frame's mapcount equals the number of PTEs mapping it; each large folio's entire
 *    mapcount the number of PMD (or, for 1 GiB hugetlb, PUD) leaves mapping it (whole, inside their VMA).
 * 3. Each folio's refcount equals what explains it: mappings, the page cache, buffers, and the
 *    references GUP handed out (pins counted the policy's way); an allocated folio nobody
 *    references is a leak.
 * 4. Free frames hold nothing: no count, no mapping, no place in a page cache; a released FS-DAX
 *    block holds exactly its stale GUP references. The allocator's bitmap agrees with PG_alloc.
 * 5. Every page-cache entry points at an allocated frame of that file and index.
 * 6. The pin counters balance: acquired - released = pins outstanding; pinned_vm is never negative.
 * 7. The shared zero page (and the huge zero folio) holds zeros: nothing ever writes it (`ZERO_PAGE(0)`, mm/memory.c; every
 *    untouched anonymous page of every process reads it).
 * 8. With a swap device, swap entries, slot references and the swap cache agree (swap-checks.ts);
 *    the swap cache's references count in 3.
 * 9. The 1 GiB hugetlb pool reserves no more folios than it has free; its free folios are
 *    PG_reserved (held by the pool) and so left out of 2-4.
 *
 * Long runs audit incrementally (incremental-audit.ts): with an {@link AuditScope}, 2-4 look only
 * at the frames a step touched and the ones in use (frame-checks.ts), 6 waits for a full audit;
 * the rest is checked whole.
 * @module
 */
import { forEachDeviceEntry, isDeviceExclusiveEntry } from "../mm/device-entry.js";
import type { Gup } from "../gup/gup.js";
import type { KernelContext } from "../kernel/context.js";
import { PG_ALLOC, PG_ANON, PG_DEVICE_PRIVATE, PG_FILE, PG_HEAD, PG_HUGE_ZERO, PG_ORPHAN, PG_RESERVED } from "../memory/page-flags.js";
import { leafPages, PTE_HUGE, PTE_SPECIAL, PTRS_PER_PTE, PUD_PAGES } from "../mm/page-table.js";
import { HPAGE_PMD_NR } from "../sim/units.js";
import type { AuditScope } from "./audit-scope.js";
import { auditFrame, countedPins, framesToAudit, inFreePoolFolio, type FrameCensus } from "./frame-checks.js";
import { checkSwap, checkSwapcacheFlag } from "./swap-checks.js";

/** The per-frame counting arrays of each frame table's checks, reused from one check to the next. */
const scratch = new WeakMap<object, { mapped: Int32Array; pmdMapped: Int32Array }>();

/**
 * Run every check; returns the violations found (empty = consistent). Stops after `limit`. With a
 * `scope` that is not full, the per-frame checks (2-4) look only at the frames it names and the
 * ones found in use (see {@link AuditScope}), the pin balance (6) is left to the full audits, and
 * the rest is checked whole.
 */
export function checkInvariants(k: KernelContext, gup: Gup, limit = 20, scope?: AuditScope): string[] {
  const out: string[] = [];
  const add = (msg: string) => {
    if (out.length < limit) out.push(msg);
  };
  const f = k.frames;
  // PTEs per frame (a typed array: the per-frame pass below reads it for every frame), and PMD
  // (or PUD) leaves per folio head: kept per frame table and zeroed, not allocated per check.
  let counts = scratch.get(f);
  if (counts === undefined) {
    counts = { mapped: new Int32Array(f.nrFrames), pmdMapped: new Int32Array(f.nrFrames) };
    scratch.set(f, counts);
  }
  const { mapped, pmdMapped } = counts;
  const full = scope === undefined || scope.full;
  if (full) {
    mapped.fill(0);
    pmdMapped.fill(0);
  }
  // Frames the census finds in use (their counts are zeroed again at the end).
  const found: number[] = [];
  // 1 + 2 (collect)
  for (const proc of k.processes.values()) {
    const mm = proc.mm;
    if (mm === null || !mm.live) continue;
    // A PTE no VMA covers was left behind by an unmap (or a VMA shrank under it).
    let inVmas = 0;
    for (const vma of mm.vmas) mm.pageTable.forEachPresent(vma.startVpn, vma.endVpn, () => void inVmas++);
    let total = 0;
    for (const key of mm.pageTable.tableKeys()) total += mm.pageTable.table(key * PTRS_PER_PTE)!.present;
    total += mm.pageTable.pudLeafKeys().length;
    if (total !== inVmas) {
      const ranges = [...mm.pageTable.tableKeys().map((key) => [key * PTRS_PER_PTE, PTRS_PER_PTE]), ...mm.pageTable.pudLeafKeys().map((pud) => [pud * PUD_PAGES, 1])];
      for (const [first, nr] of ranges) {
        mm.pageTable.forEachPresent(first, first + nr, (vpn) => {
          if (mm.findVma(vpn * 4096) === undefined) add(`pid ${proc.pid}: PTE at 0x${(vpn * 4096).toString(16)} lies outside every VMA`);
        });
      }
    }
    for (const vma of mm.vmas) {
      mm.pageTable.forEachPresent(vma.startVpn, vma.endVpn, (vpn, pfn, bits) => {
        if ((bits & PTE_SPECIAL) !== 0) return;
        if (!f.valid(pfn) || (f.flags[pfn] & PG_ALLOC) === 0) {
          add(`pid ${proc.pid}: PTE at 0x${(vpn * 4096).toString(16)} maps frame ${pfn}, which is not allocated`);
          return;
        }
        if ((bits & PTE_HUGE) !== 0) {
          // A PMD leaf: a whole 2 MiB folio, inside the VMA (a PUD leaf: a whole 1 GiB hugetlb
          // folio); the huge zero folio has no rmap.
          const nr = leafPages(bits);
          const level = nr === PUD_PAGES ? "PUD" : "PMD";
          if (vpn < vma.startVpn || vpn + nr > vma.endVpn) add(`pid ${proc.pid}: the ${level} leaf at 0x${(vpn * 4096).toString(16)} reaches past its VMA`);
          if ((f.flags[pfn] & PG_HEAD) === 0 || f.nrPages(pfn) !== nr) add(`pid ${proc.pid}: the ${level} leaf at 0x${(vpn * 4096).toString(16)} maps frame ${pfn}, not the head of a ${nr === PUD_PAGES ? "1 GiB" : "2 MiB"} folio`);
          if ((f.flags[pfn] & PG_HUGE_ZERO) !== 0) return;
          pmdMapped[pfn]++;
        } else {
          mapped[pfn]++;
        }
        found.push(pfn);
        const fl = f.flags[pfn];
        if ((fl & PG_ANON) !== 0) {
          const av = vma.anonVma;
          if (av === null || f.mapping[pfn] !== av.id || f.index[pfn] !== vma.fileIndex(vpn)) {
            add(`pid ${proc.pid}: anon frame ${pfn} at vpn ${vpn} is not found by its rmap (anon_vma ${f.mapping[pfn]}, index ${f.index[pfn]})`);
          }
        } else if ((fl & PG_FILE) !== 0) {
          if (vma.file === null || f.mapping[pfn] !== vma.file.id || vma.vpnOfIndex(f.index[pfn]) !== vpn) {
            add(`pid ${proc.pid}: file frame ${pfn} at vpn ${vpn} is not found by its rmap (inode ${f.mapping[pfn]}, index ${f.index[pfn]})`);
          }
        } else if ((fl & PG_ORPHAN) === 0) {
          add(`pid ${proc.pid}: frame ${pfn} mapped at vpn ${vpn} is neither anonymous nor a file page`);
        }
      });
    }
  }
  // 2 for device entries: a device-private entry maps its device page like a PTE (mapcount, anon
  // rmap); a device-exclusive entry holds its page's reference but no mapcount.
  const exclusiveRefs = new Map<number, number>();
  for (const proc of k.processes.values()) {
    const mm = proc.mm;
    if (mm === null || !mm.live) continue;
    for (const vma of mm.vmas) {
      forEachDeviceEntry(mm.pageTable, vma.startVpn, vma.endVpn, (vpn, pfn, bits) => {
        const exclusive = isDeviceExclusiveEntry(bits);
        if (!f.valid(pfn) || (f.flags[pfn] & PG_ALLOC) === 0 || (!exclusive && (f.flags[pfn] & PG_DEVICE_PRIVATE) === 0)) {
          add(`pid ${proc.pid}: the device entry at 0x${(vpn * 4096).toString(16)} names frame ${pfn}, which is no allocated page of its kind`);
          return;
        }
        if (exclusive) exclusiveRefs.set(pfn, (exclusiveRefs.get(pfn) ?? 0) + 1);
        else mapped[pfn]++;
        found.push(pfn);
        if (vma.anonVma === null || f.mapping[pfn] !== vma.anonVma.id || f.index[pfn] !== vma.fileIndex(vpn)) add(`pid ${proc.pid}: device-mapped page ${pfn} at vpn ${vpn} is not found by its rmap`);
      });
    }
  }
  // 5 + cache refs
  const cacheRefs = new Map<number, number>();
  for (const inode of k.files.values()) {
    for (const [index, pfn] of inode.cache) {
      if (!f.valid(pfn) || (f.flags[pfn] & PG_ALLOC) === 0) {
        add(`file "${inode.name}": page ${index} points at frame ${pfn}, which is not allocated`);
        continue;
      }
      if ((f.flags[pfn] & PG_FILE) === 0 || f.mapping[pfn] !== inode.id || f.index[pfn] !== index) {
        add(`file "${inode.name}": page ${index} -> frame ${pfn}, but the frame says inode ${f.mapping[pfn]} index ${f.index[pfn]}`);
      }
      const head = f.head(pfn);
      cacheRefs.set(head, (cacheRefs.get(head) ?? 0) + 1);
      found.push(pfn);
    }
  }
  // 8, and the swap cache's references for 3
  const swapRefs = checkSwap(k, add, full);
  for (const head of swapRefs.keys()) found.push(head);
  // 2, 3, 4 per frame
  const census: FrameCensus = { mapped, pmdMapped, cacheRefs, swapRefs, exclusiveRefs };
  const pool = k.memory.hugetlb1g;
  let pinsOutstanding = 0;
  if (full) {
    for (let pfn = 0; pfn < f.nrFrames; pfn++) {
      if ((f.flags[pfn] & PG_RESERVED) !== 0 && pool.isFreeHead(pfn)) {
        // A free 1 GiB pool folio (262144 frames the pool holds, PG_alloc | PG_reserved by
        // construction): only pins left on it would matter; no frame of it is looked at otherwise.
        for (let i = 0; i < pool.nrPages; i++) pinsOutstanding += gup.pinRefs[pfn + i];
        pfn += pool.nrPages - 1;
        continue;
      }
      pinsOutstanding += countedPins(k, gup, pfn);
      auditFrame(k, gup, census, pfn, add);
    }
  } else {
    for (const pfn of framesToAudit(k, [scope.touched, scope.found, found])) {
      if (inFreePoolFolio(k, pfn)) continue;
      auditFrame(k, gup, census, pfn, add);
      checkSwapcacheFlag(k, swapRefs, pfn, add);
    }
  }
  for (const pfn of found) {
    mapped[pfn] = 0;
    pmdMapped[pfn] = 0;
  }
  if (scope !== undefined) scope.found = found;
  // 9: the 1 GiB hugetlb pool never promises more folios than it has free (resv_huge_pages <= free_huge_pages).
  if (pool.resvHugePages < 0 || pool.resvHugePages > pool.freeHugePages) add(`the 1GiB hugetlb pool has ${pool.resvHugePages} reserved but ${pool.freeHugePages} free`);
  // 6 (the outstanding pins are a sum over every frame: full audits only)
  if (full && k.policy.countsPins) {
    const balance = k.vmstat.nr_foll_pin_acquired - k.vmstat.nr_foll_pin_released;
    if (balance !== pinsOutstanding) {
      add(`nr_foll_pin_acquired - nr_foll_pin_released = ${balance}, but ${pinsOutstanding} pins are outstanding`);
    }
  }
  for (const proc of k.processes.values()) {
    if (proc.mm !== null && proc.mm.pinnedVm < 0) add(`pid ${proc.pid}: pinned_vm is negative (${proc.mm.pinnedVm})`);
  }
  // 7
  const zero = k.memory.contents.snapshot(k.memory.zeroPfn);
  if (zero !== undefined && zero.some((b) => b !== 0)) add(`frame ${k.memory.zeroPfn}, the shared zero page, holds written bytes: every untouched anonymous page now reads them`);
  const hz = k.memory.hugeZeroPfn;
  let hzUsers = 0;
  for (const proc of k.processes.values()) if (proc.mm !== null && proc.mm.live && proc.mm.hugeZeroPage) hzUsers++;
  if (k.memory.hugeZeroRefcount !== (hz >= 0 ? hzUsers + 1 : 0)) add(`huge_zero_refcount is ${k.memory.hugeZeroRefcount} but ${hzUsers} mm(s) use the huge zero folio`);
  for (let i = 0; hz >= 0 && i < HPAGE_PMD_NR; i++) {
    const bytes = k.memory.contents.snapshot(hz + i);
    if (bytes !== undefined && bytes.some((b) => b !== 0)) add(`frame ${hz + i}, part of the huge zero folio, holds written bytes`);
  }
  return out;
}
