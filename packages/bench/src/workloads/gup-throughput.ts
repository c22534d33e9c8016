/**
 * `gup-throughput`: the raw cost of each policy's grab and release, gup_test style.
 * @module
 */
import {
  FOLL_LONGTERM, FOLL_WRITE, HPAGE_PMD_SIZE, PAGE_SIZE, VM_READ, VM_WRITE, doMadvise, doMmap, touchRange, type KernelInstance, type Process,
} from "@pinlab/core";
import { z } from "zod";
import { buildCellKernel } from "../probe/cell-kernel.js";
import { MAIN_SERIES, type SampleProbe } from "../probe/sample-probe.js";
import { defineWorkload, workloadParams } from "./define-workload.js";
import { countParam, fitsMachine, sizeParam } from "./support/params.js";

/** Folio kinds the throughput runs cover: order-0 pages, THP via MADV_HUGEPAGE, hugetlb. */
export const THROUGHPUT_ORDERS = ["order0", "thp", "hugetlb"] as const;
/** GUP paths: the lockless fast walk (`*_fast`) or the slow path under the mmap lock. */
export const THROUGHPUT_PATHS = ["fast", "slow"] as const;
/** Call families: FOLL_PIN (`pin_user_pages*` + `unpin_user_pages`) or FOLL_GET (`get_user_pages*` + `put_page`). */
export const THROUGHPUT_MODES = ["pin", "get"] as const;

/** The series holding the bare typed-array increment loop over the same frames. */
export const BARE_LOOP_SERIES = "bare-loop";
/** Untimed passes of the bare loop before it is timed in each sample (the JIT compiles it first). */
export const BARE_LOOP_WARMUP = 3;

/** The machine of a cell: `memory` for each folio kind, plus room for page tables and the rest. */
function machineBytes(p: { readonly memory: number; readonly orders: readonly string[] }): number {
  return p.memory * new Set(p.orders).size + 64 * 1024 * 1024;
}

const params = workloadParams({
  memory: sizeParam,
  batch: countParam(1 << 20),
  longterm: z.boolean(),
  orders: z.array(z.enum(THROUGHPUT_ORDERS)).min(1),
  paths: z.array(z.enum(THROUGHPUT_PATHS)).min(1),
  modes: z.array(z.enum(THROUGHPUT_MODES)).min(1),
}).superRefine(fitsMachine("memory", ["memory", "orders"], machineBytes));

/** The id of a series: `order-path-mode`, e.g. `order0-fast-pin`; order0-fast-pin is the cell's main series. */
export function throughputSeries(order: string, path: string, mode: string): string {
  return order === "order0" && path === "fast" && mode === "pin" ? MAIN_SERIES : `${order}-${path}-${mode}`;
}

interface Region {
  readonly order: (typeof THROUGHPUT_ORDERS)[number];
  readonly proc: Process;
  readonly addr: number;
  readonly pages: Uint32Array;
}

/**
 * Pin/unpin and get/put of N faulted pages in batches (gup_test's `-a`/`-u`/`-L`/`-b`/`-U` with
 * `-n BATCH`), on order-0 pages and on large folios, fast and slow path. The memory is faulted
 * once per cell (untimed); each sample runs every series: the grab loop over all pages in one
 * timed window, the release loop in another, then verifies outside the windows that every page
 * was taken and every reference given back. A bare typed-array increment loop over the same
 * frames, in the same sample, is the floor the policies are compared with: its closures are made
 * once per cell and warmed before every timed pass, so the floor is the JIT-compiled loop.
 */
export const gupThroughput = defineWorkload({
  meta: {
    id: "gup-throughput",
    summary: "pin/unpin and get/put of N faulted pages in batches: the raw per-page cost of each policy",
    models: "mm/gup_test.c's PIN_FAST / GUP_FAST / PIN_LONGTERM / PIN_BASIC / GUP_BASIC benchmarks over faulted anonymous memory, order-0 and huge",
    source: "reference §9 (gup_test harness and published figures); tools/testing/selftests/mm/gup_test.c and mm/gup_test.c (v6.12)",
    params,
    sizes: {
      tiny: { samples: 2, warmup: 1, memory: "8MiB", batch: 512, longterm: true, orders: ["order0", "thp"], paths: ["fast", "slow"], modes: ["pin", "get"] },
      small: { samples: 5, warmup: 1, memory: "1GiB", batch: 512, longterm: true, orders: ["order0", "thp"], paths: ["fast", "slow"], modes: ["pin", "get"] },
      default: { samples: 10, warmup: 2, memory: "1GiB", batch: 512, longterm: true, orders: ["order0", "thp", "hugetlb"], paths: ["fast", "slow"], modes: ["pin", "get"] },
      large: { samples: 10, warmup: 2, memory: "4GiB", batch: 512, longterm: true, orders: ["order0", "thp", "hugetlb"], paths: ["fast", "slow"], modes: ["pin", "get"] },
    },
    cost: { tiny: 0.2, small: 3, default: 8, large: 30 },
    variants: [{ id: "anon", summary: "private anonymous memory, write-faulted; the workload calls the GUP API itself as gup_test does" }],
    lookFor: "ns per page of pin_user_pages_fast + unpin_user_pages on order-0 pages (the main series) against ~62/15 ns published, and per subpage on huge folios against a few ns; the bare loop is the floor",
  },
  create(env) {
    const p = env.params;
    const orders = [...new Set(p.orders)];
    const inst = buildCellKernel(env, { machine: { memory: machineBytes(p) } });
    const k = inst.kernel;
    const regions: Region[] = orders.map((order) => {
      const proc = k.spawn(order);
      const length = order === "order0" ? p.memory : Math.ceil(p.memory / HPAGE_PMD_SIZE) * HPAGE_PMD_SIZE;
      const addr = doMmap(k, proc, { length, prot: VM_READ | VM_WRITE, shared: false, anonymous: true, hugetlb: order === "hugetlb" });
      if (addr < 0) throw new Error(`gup-throughput: mmap of ${length} bytes failed (${-addr})`);
      if (order === "thp") doMadvise(k, proc, addr, length, "hugepage");
      const r = touchRange(k, proc, addr, length, true);
      if (r < 0) throw new Error(`gup-throughput: faulting ${length} bytes of ${order} memory failed (${-r})`);
      return { order, proc, addr, pages: new Uint32Array(length / PAGE_SIZE) };
    });
    const series: { id: string; region: Region; path: string; mode: string }[] = [];
    for (const region of regions) {
      for (const path of p.paths) for (const mode of p.modes) series.push({ id: throughputSeries(region.order, path, mode), region, path, mode });
    }
    // The main series first, so the JIT state it meets does not depend on which others run.
    series.sort((a, b) => (a.id === MAIN_SERIES ? -1 : b.id === MAIN_SERIES ? 1 : 0));
    const pinFlags = FOLL_WRITE | (p.longterm ? FOLL_LONGTERM : 0);
    const getFlags = FOLL_WRITE;
    const order0 = regions.find((r) => r.order === "order0");
    const bare = order0 !== undefined ? bareLoop(inst, order0.pages) : undefined;
    return {
      sample(probe: SampleProbe) {
        probe.watch(inst);
        for (const s of series) runSeries(inst, probe, s.id, s.region, s.path, s.mode, p.batch, s.mode === "pin" ? pinFlags : getFlags);
        if (bare !== undefined) timeBareLoop(probe, bare);
      },
    };
  },
});

function runSeries(inst: KernelInstance, probe: SampleProbe, id: string, r: Region, path: string, mode: string, batch: number, flags: number): void {
  const g = inst.gup;
  const n = r.pages.length;
  const pages = r.pages;
  const proc = r.proc;
  const addr = r.addr;
  const call = `${mode === "pin" ? "pin_user_pages" : "get_user_pages"}${path === "fast" ? "_fast" : ""}`;
  const grab =
    mode === "pin"
      ? path === "fast"
        ? (i: number, nr: number) => g.pinUserPagesFast(proc, addr + i * PAGE_SIZE, nr, flags, pages.subarray(i, i + nr))
        : (i: number, nr: number) => g.pinUserPages(proc, addr + i * PAGE_SIZE, nr, flags, pages.subarray(i, i + nr))
      : path === "fast"
        ? (i: number, nr: number) => g.getUserPagesFast(proc, addr + i * PAGE_SIZE, nr, flags, pages.subarray(i, i + nr))
        : (i: number, nr: number) => g.getUserPages(proc, addr + i * PAGE_SIZE, nr, flags, pages.subarray(i, i + nr));
  let taken = 0;
  probe.pin(call, () => {
    for (let i = 0; i < n; i += batch) {
      const nr = Math.min(batch, n - i);
      const got = grab(i, nr);
      if (got < 0) return taken > 0 ? taken : got;
      taken += got;
      if (got < nr) break;
    }
    return taken;
  }, { series: id });
  if (id === MAIN_SERIES) probe.audit(inst, pages.subarray(0, taken));
  probe.release(taken, () => {
    for (let i = 0; i < taken; i += batch) {
      const nr = Math.min(batch, taken - i);
      if (mode === "pin") g.unpinUserPages(pages.subarray(i, i + nr), nr);
      else g.putPages(pages.subarray(i, i + nr), nr);
    }
  }, { series: id });
  // Verification, outside the windows: every page taken, every reference given back.
  if (taken !== n) probe.count(`${id}:short`, n - taken);
  const refs = mode === "pin" ? g.pinRefs : g.getRefs;
  const f = inst.kernel.frames;
  let leaked = 0;
  for (let i = 0; i < taken; i++) if (refs[f.head(pages[i])] !== 0) leaked++;
  if (leaked > 0) probe.count(`${id}:leaked`, leaked);
  probe.count(`${id}:pages`, taken);
}

/** The floor's two loops over one region's frames, and how many frames they cover. */
interface BareLoop {
  readonly pages: number;
  readonly increment: () => void;
  readonly decrement: () => void;
}

/**
 * The floor: `refcount[pfn] += 1` and `-= 1` over the same frames the main series pinned, no GUP
 * at all. The closures are made once (in `create`) and reused by every sample, so the JIT
 * compiles them once, as it does the GUP calls they are compared with.
 */
function bareLoop(inst: KernelInstance, pages: Uint32Array): BareLoop {
  const rc = inst.kernel.frames.refcount;
  const n = pages.length;
  return {
    pages: n,
    increment() {
      for (let i = 0; i < n; i++) rc[pages[i]] += 1;
    },
    decrement() {
      for (let i = 0; i < n; i++) rc[pages[i]] -= 1;
    },
  };
}

/** Warm the floor up ({@link BARE_LOOP_WARMUP} untimed passes), then time one increment and one decrement pass. */
function timeBareLoop(probe: SampleProbe, bare: BareLoop): void {
  for (let i = 0; i < BARE_LOOP_WARMUP; i++) {
    bare.increment();
    bare.decrement();
  }
  probe.baseline(BARE_LOOP_SERIES, "pin", bare.pages, bare.increment);
  probe.baseline(BARE_LOOP_SERIES, "release", bare.pages, bare.decrement);
}
