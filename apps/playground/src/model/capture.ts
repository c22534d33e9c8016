/**
 * Reading a live kernel instance into recorded form: the used frames of each zone, the present
 * PTEs of each process, and the small per-position views. Only the used part of memory is
 * visited: a zone is scanned from its start until every allocated frame of it was seen (the zone
 * allocator's count says how many there are), so a large machine costs what it uses.
 */
import { isSwapPte, nonSwapEntry, PTE_PRESENT, PTRS_PER_PTE, protString, vmFlagNames, type KernelInstance, type Process, type ZoneSpan } from "@pinlab/core";
import { FRAME_WIDTH, F } from "./frame-state.js";
import type { CounterSnapshot, DeviceSnapshot, HolderList, PositionViews, ProcessView } from "./machine-types.js";
import type { RowHistory } from "./row-history.js";

/** Key of a PTE in the PTE history: pid in the high part, virtual page number in the low 32 bits. */
export function pteKey(pid: number, vpn: number): number {
  return pid * 2 ** 32 + vpn;
}

/** The pid and virtual page number of a PTE key. */
export function pteKeyParts(key: number): { pid: number; vpn: number } {
  return { pid: Math.floor(key / 2 ** 32), vpn: key % 2 ** 32 };
}

/**
 * Record the used frames of every zone into `frames` (key = pfn). `used[z]` is how many frames
 * from the start of zone `z` were ever used; it only grows. Free frames are removed rows.
 */
export function captureFrames(inst: InstanceLike, frames: RowHistory, used: number[]): void {
  const k = inst.kernel;
  const mem = k.memory;
  const f = k.frames;
  const row = new Float64Array(FRAME_WIDTH);
  mem.zones.forEach((z: ZoneSpan, zi: number) => {
    const expected = mem.zoneFrames(z.id) - mem.nrFree(z.id);
    const before = z.start + (used[zi] ?? 0);
    let seen = 0;
    let last = z.start - 1;
    for (let pfn = z.start; pfn < z.end && (seen < expected || pfn < before); pfn++) {
      const allocated = mem.isAllocated(pfn);
      if (allocated) seen++;
      const flags = f.flags[pfn];
      const ref = f.refcount[pfn];
      if (!allocated && flags === 0 && ref === 0) {
        frames.remove(pfn);
        continue;
      }
      last = pfn;
      const head = f.head(pfn);
      row[F.refcount] = ref;
      row[F.mapcount] = f.mapcount[pfn];
      row[F.flags] = flags;
      row[F.mapping] = f.mapping[pfn];
      row[F.index] = f.index[pfn];
      row[F.order] = f.order[pfn];
      row[F.pincount] = allocated ? k.policy.pinCount(head) : 0;
      row[F.maybePinned] = allocated && k.policy.maybeDmaPinned(pfn) ? 1 : 0;
      row[F.entireMapcount] = f.entireMapcount[pfn];
      frames.set(pfn, row);
    }
    used[zi] = Math.max(used[zi] ?? 0, last + 1 - z.start);
  });
}

/**
 * Record the present PTEs of every process into `ptes` (key = {@link pteKey}, row = [pfn, PTE bits]).
 * A PMD leaf (a THP or hugetlb folio mapped whole) is recorded page by page like the PTEs it
 * stands for: each page of its range maps the matching frame of the folio, with the leaf's bits
 * (PTE_HUGE set), so whoever reads a page's row needs not know how it is mapped. A swap entry
 * (`is_swap_pte()`) is recorded too, as [swap offset, its bits], and so is a device-private or
 * device-exclusive entry, as [its page's frame, its bits]: a reader looking for the frames PTEs
 * reach must skip swap rows ({@link mapsFrame}).
 */
export function capturePtes(inst: InstanceLike, ptes: RowHistory): void {
  const seen = new Set<number>();
  const row = new Float64Array(2);
  for (const p of inst.kernel.processes.values()) {
    const mm = p.mm;
    if (mm === null || !p.alive) continue;
    for (const v of mm.vmas) {
      let vpn = v.startVpn;
      while (vpn < v.endVpn) {
        const tableEnd = Math.min(v.endVpn, (Math.floor(vpn / PTRS_PER_PTE) + 1) * PTRS_PER_PTE);
        const t = mm.pageTable.table(vpn);
        if (t !== undefined && t.leafBits !== 0) {
          for (let x = vpn; x < tableEnd; x++) {
            const key = pteKey(p.pid, x);
            seen.add(key);
            row[0] = t.leafPfn + (x % PTRS_PER_PTE);
            row[1] = t.leafBits;
            ptes.set(key, row);
          }
        } else if (t !== undefined) {
          for (let x = vpn; x < tableEnd; x++) {
            const bits = t.bits[x % PTRS_PER_PTE];
            if ((bits & PTE_PRESENT) === 0 && !isSwapPte(bits)) continue;
            const key = pteKey(p.pid, x);
            seen.add(key);
            row[0] = t.pfn[x % PTRS_PER_PTE];
            row[1] = bits;
            ptes.set(key, row);
          }
        }
        vpn = tableEnd;
      }
    }
  }
  for (const key of [...ptes.keys()]) if (!seen.has(key)) ptes.remove(key);
}

/**
 * Whether a recorded PTE row reaches a frame: a present PTE, or a device-private or
 * device-exclusive entry (`non_swap_entry()`: its pfn column names the page), rather than a swap
 * entry (whose pfn column is a swap slot).
 */
export function mapsFrame(row: ArrayLike<number>): boolean {
  return (row[1] & PTE_PRESENT) !== 0 || nonSwapEntry(row[1]);
}

/** The small views of a position. `previous` lets unchanged parts be shared instead of copied. */
export function captureViews(inst: InstanceLike, deviceKinds: ReadonlyMap<string, string>, previous: PositionViews | undefined): PositionViews {
  const k = inst.kernel;
  const old = new Map((previous?.procs ?? []).map((p) => [p.pid, p]));
  let sameProcs = previous !== undefined && previous.procs.length === k.processes.size;
  const procs: ProcessView[] = [];
  const pinnedVm: Record<string, number> = {};
  for (const p of k.processes.values()) {
    const view = processView(p, old.get(p.pid));
    if (view !== old.get(p.pid)) sameProcs = false;
    procs.push(view);
    pinnedVm[p.name] = view.pinnedVm;
  }
  const devices: DeviceSnapshot[] = [...inst.devices.entries()].map(([name, d]) => {
    const v = d.view();
    return { name, kind: deviceKinds.get(name) ?? "?", frames: v.frames.map((x) => ({ pfn: x.pfn, label: x.label })), counters: { ...v.counters } };
  });
  const byPfn = new Map<number, string[]>();
  for (const [name, recs] of inst.oracle.holdings()) {
    for (const pfn of recs.keys()) {
      const list = byPfn.get(pfn);
      if (list === undefined) byPfn.set(pfn, [name]);
      else list.push(name);
    }
  }
  const holders: HolderList = [...byPfn.entries()].sort((a, b) => a[0] - b[0]).map(([pfn, names]) => [pfn, names.sort()] as const);
  const counters: CounterSnapshot = { vmstat: k.vmstat.snapshot(), pinnedVm, hazards: inst.oracle.hazards.length };
  return {
    procs: sameProcs && previous !== undefined ? previous.procs : procs,
    devices: share(previous?.devices, devices),
    holders: share(previous?.holders, holders),
    counters: previous !== undefined && sameCounters(previous.counters, counters) ? previous.counters : counters,
  };
}

/** The view of process `p`, or `old` itself when nothing it shows changed (cheap: no strings built). */
function processView(p: Process, old: ProcessView | undefined): ProcessView {
  const mm = p.alive ? p.mm : null;
  const vmas = mm?.vmas ?? [];
  const pinnedVm = mm?.pinnedVm ?? 0;
  const rss = mm?.rss ?? 0;
  if (old !== undefined && old.alive === p.alive && old.pinnedVm === pinnedVm && old.rss === rss && old.vmas.length === vmas.length &&
    vmas.every((v, i) => { const o = old.vmas[i]; return o.start === v.start && o.end === v.end && o.vmFlags === v.flags && o.pgoff === v.pgoff && o.file === (v.file?.name ?? null); })) {
    return old;
  }
  return {
    pid: p.pid, name: p.name, alive: p.alive, pinnedVm, rss,
    vmas: vmas.map((v) => ({ start: v.start, end: v.end, prot: protString(v.flags), flags: vmFlagNames(v.flags), file: v.file?.name ?? null, pgoff: v.pgoff, vmFlags: v.flags })),
  };
}

function sameCounters(a: CounterSnapshot, b: CounterSnapshot): boolean {
  return a.hazards === b.hazards && sameRecord(a.vmstat, b.vmstat) && sameRecord(a.pinnedVm, b.pinnedVm);
}

function sameRecord(a: Readonly<Record<string, number>>, b: Readonly<Record<string, number>>): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => a[k] === b[k]);
}

/** The part of a kernel instance that capture reads. */
export type InstanceLike = Pick<KernelInstance, "kernel" | "oracle" | "devices">;

function share<T>(old: T | undefined, fresh: T): T {
  return old !== undefined && JSON.stringify(old) === JSON.stringify(fresh) ? old : fresh;
}
