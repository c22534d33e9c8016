/**
 * The model's state on demand (issue 19, item 4): each process's mapped pages and each holder's
 * frames, for the `dump` op and `pinlab run --state STEP`. Taking it emits nothing and changes
 * nothing, so a run's events (and its eventsHash) are the same with or without it. What a
 * process's rows show is what `/proc/PID/pagemap`, `/proc/kpagecount` and `/proc/kpageflags`
 * would, plus the policy's pin view (`pincount`, `maybe_dma_pinned`).
 * @module
 */
import type { KernelInstance } from "../instance/create-kernel.js";
import type { Process } from "../mm/process.js";
import { PTRS_PER_PTE } from "../mm/pte-table.js";
import { hex, PAGE_SIZE } from "../sim/units.js";
import { pageState, type PageState } from "./observe.js";

/** One run of pages of a process: consecutive addresses on consecutive frames of one folio, in one state. */
export interface PageRow {
  /** The first address, `0x...`. */
  readonly addr: string;
  /** Pages in the run (a PMD-mapped THP is one row of 512). */
  readonly pages: number;
  /** The first page's frame (the run's frames follow it), or -1 when swapped out. */
  readonly pfn: number;
  /** The folio's refcount. */
  readonly refcount: number;
  /** Each page's mapcount (as `/proc/kpagecount`). */
  readonly mapcount: number;
  /** Pins as the policy counts them. */
  readonly pincount: number;
  /** The policy's `folio_maybe_dma_pinned()`. */
  readonly maybe_dma_pinned: boolean;
  /** The folio's order. */
  readonly order: number;
  /** The frame's zone. */
  readonly zone: string;
  /** The page's state as short names: `anon`, `file`, `zero`, `huge_zero`, `dirty`, `writeback`, `writable`, `exclusive`, `pmd`, `pud`, `orphan`, `swapped`, `device_private`. */
  readonly flags: readonly string[];
}

/** A process's mapped pages. */
export interface ProcessState {
  /** The process's scenario name. */
  readonly proc: string;
  /** Its pid. */
  readonly pid: number;
  /** Present (and swapped-out) pages, in address order, runs merged. */
  readonly pages: readonly PageRow[];
}

/** A run of frames a holder (a device or a gup handle) holds, as the hazard oracle knows them: consecutive frames taken at consecutive addresses, alike. */
export interface HeldFrame {
  /** The first frame. */
  readonly pfn: number;
  /** Frames in the run. */
  readonly pages: number;
  /** The pid it was taken from (-1 when not from a process). */
  readonly pid: number;
  /** The address the first was taken at, `0x...`. */
  readonly addr: string;
  /** Taken with write intent. */
  readonly write: boolean;
  /** Taken long-term. */
  readonly longterm: boolean;
  /** How many times the holder took each. */
  readonly refs: number;
}

/** A holder's frames. */
export interface HolderState {
  /** The device or handle name. */
  readonly holder: string;
  /** Its frames, by frame number, runs merged. */
  readonly frames: readonly HeldFrame[];
}

/** The state at one step: every live process's pages and every holder's frames. */
export interface StateSnapshot {
  /** Processes, in creation order. */
  readonly processes: readonly ProcessState[];
  /** Holders, by name. */
  readonly holders: readonly HolderState[];
}

/** Which part to show: one process, one holder (device or handle), or everything. */
export interface SnapshotFilter {
  /** Only this process (and no holders unless `holder` is given too). */
  readonly proc?: string;
  /** Only this holder (and no processes unless `proc` is given too). */
  readonly holder?: string;
}

const FLAG_FIELDS: readonly [keyof PageState, string][] = [
  ["anon", "anon"], ["file", "file"], ["zero_page", "zero"], ["huge_zero_page", "huge_zero"], ["dirty", "dirty"], ["writeback", "writeback"],
  ["writable", "writable"], ["anon_exclusive", "exclusive"], ["pmd_mapped", "pmd"], ["pud_mapped", "pud"], ["orphan", "orphan"],
  ["swapped", "swapped"], ["device_private", "device_private"],
];

function rowOf(st: PageState, addr: number): PageRow {
  return {
    addr: hex(addr), pages: 1, pfn: st.pfn ?? -1, refcount: st.refcount ?? 0, mapcount: st.mapcount ?? 0, pincount: st.pincount ?? 0,
    maybe_dma_pinned: st.maybe_dma_pinned === true, order: st.folio_order ?? 0, zone: st.zone ?? "-",
    flags: FLAG_FIELDS.filter(([k]) => st[k] === true).map(([, name]) => name),
  };
}

/** `next` continues `row`: the next address on the next frame, in the same state. */
function continues(row: PageRow, next: PageRow): boolean {
  return next.pfn >= 0 && next.pfn === row.pfn + row.pages && next.refcount === row.refcount && next.mapcount === row.mapcount
    && next.pincount === row.pincount && next.maybe_dma_pinned === row.maybe_dma_pinned && next.order === row.order
    && next.zone === row.zone && next.flags.join() === row.flags.join();
}

/** A process's pages: every present or swapped-out page of its VMAs, in address order, runs merged. */
export function processState(inst: KernelInstance, proc: Process): ProcessState {
  const rows: PageRow[] = [];
  const mm = proc.mm;
  if (mm !== null && proc.alive) {
    for (const vma of mm.vmas) {
      const end = Math.floor(vma.end / PAGE_SIZE);
      for (let vpn = Math.floor(vma.start / PAGE_SIZE); vpn < end; vpn++) {
        // No PTE table and no leaf: nothing in these 512 pages (pmd_none()), skip to the next table.
        if (mm.pageTable.pmdNone(vpn)) {
          vpn = (Math.floor(vpn / PTRS_PER_PTE) + 1) * PTRS_PER_PTE - 1;
          continue;
        }
        if (mm.pageTable.bits(vpn) === 0) continue;
        const st = pageState(inst, proc, vpn * PAGE_SIZE);
        if (!st.present && st.swapped !== true && st.device_private !== true) continue;
        const row = rowOf(st, vpn * PAGE_SIZE);
        const last = rows[rows.length - 1];
        if (last !== undefined && Number(last.addr) + last.pages * PAGE_SIZE === vpn * PAGE_SIZE && continues(last, row)) {
          rows[rows.length - 1] = { ...last, pages: last.pages + 1 };
        } else rows.push(row);
      }
    }
  }
  return { proc: proc.name, pid: proc.pid, pages: rows };
}

function held(r: HeldFrame & { vaddr: number }): HeldFrame {
  return { pfn: r.pfn, pages: r.pages, pid: r.pid, addr: r.addr, write: r.write, longterm: r.longterm, refs: r.refs };
}

/** The state now: processes and holders, or the part `filter` names. Side-effect free. */
export function stateSnapshot(inst: KernelInstance, filter: SnapshotFilter = {}): StateSnapshot {
  const all = filter.proc === undefined && filter.holder === undefined;
  const processes: ProcessState[] = [];
  if (all || filter.proc !== undefined) {
    for (const p of inst.kernel.processes.values()) {
      if (!p.alive || (filter.proc !== undefined && p.name !== filter.proc)) continue;
      processes.push(processState(inst, p));
    }
  }
  const holders: HolderState[] = [];
  if (all || filter.holder !== undefined) {
    for (const [name, recs] of [...inst.oracle.holdings()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (filter.holder !== undefined && name !== filter.holder) continue;
      const frames: HeldFrame[] = [];
      let last: (HeldFrame & { vaddr: number }) | undefined;
      for (const r of [...recs.values()].sort((a, b) => a.pfn - b.pfn)) {
        if (last !== undefined && r.pfn === last.pfn + last.pages && r.pid === last.pid && r.vaddr === last.vaddr + last.pages * PAGE_SIZE
          && r.write === last.write && r.longterm === last.longterm && r.count === last.refs) {
          last = { ...last, pages: last.pages + 1 };
          frames[frames.length - 1] = held(last);
          continue;
        }
        last = { pfn: r.pfn, pages: 1, pid: r.pid, addr: hex(r.vaddr), vaddr: r.vaddr, write: r.write, longterm: r.longterm, refs: r.count };
        frames.push(held(last));
      }
      holders.push({ holder: name, frames });
    }
  }
  return { processes, holders };
}
