/**
 * `longterm-cma`: long-term pins of memory that sits in ZONE_MOVABLE and in a CMA area.
 * @module
 */
import {
  EBUSY, FOLL_LONGTERM, FOLL_WRITE, PAGE_SIZE, VM_READ, VM_WRITE, ZoneId, cmaAlloc, compact, doMmap, type KernelInstance, type Process,
} from "@pinlab/core";
import type { SampleProbe } from "../probe/sample-probe.js";
import type { DeviceDriver } from "./support/device-driver.js";
import { defineWorkload, workloadParams } from "./define-workload.js";
import { countParam } from "./support/params.js";

const params = workloadParams({
  pages: countParam(1 << 16),
  normalPages: countParam(1 << 20),
});

/**
 * Long-term pins and movability (reference §2.5, §5, §11 rows 6 and 23): a process faults two
 * buffers, one landing in ZONE_MOVABLE and one in the CMA area (the allocator prefers them for
 * user memory), and pins both long-term. v6.12 migrates both to ZONE_NORMAL first
 * (`check_and_migrate_movable_pages`); the 2019 kernel only moved CMA pages, so the pin strands
 * ZONE_MOVABLE; when ZONE_NORMAL has no room the pin fails with ENOMEM. Then a driver asks for
 * the whole CMA area (`cma_alloc`) and the movable zone is compacted (what offlining it relies
 * on): their failures (ENOMEM/EBUSY from cma_alloc, EBUSY for a compaction that left pages
 * behind) are the availability cost of pins left where they were.
 */
export const longtermCma = defineWorkload({
  meta: {
    id: "longterm-cma",
    summary: "long-term pins of memory in ZONE_MOVABLE and CMA, then cma_alloc of the whole area and compaction",
    models: "an RDMA registration (or any FOLL_LONGTERM user) of memory the allocator placed in ZONE_MOVABLE or a CMA area, later needed by a camera/codec's cma_alloc or by memory hot-unplug",
    source: "reference §2.5, §5 and §11 rows 6, 23; mm/gup.c check_and_migrate_movable_pages, include/linux/mm.h folio_is_longterm_pinnable (v6.12); scenarios/longterm-pin-movable-and-cma.yaml",
    params,
    sizes: {
      tiny: { samples: 2, warmup: 1, pages: 8, normalPages: 4096 },
      small: { samples: 5, warmup: 2, pages: 128, normalPages: 4096 },
      default: { samples: 10, warmup: 3, pages: 512, normalPages: 8192 },
      large: { samples: 10, warmup: 3, pages: 4096, normalPages: 32768 },
    },
    cost: { tiny: 0.05, small: 0.3, default: 1, large: 5 },
    variants: [
      { id: "pin-user-pages", summary: "pin_user_pages(FOLL_LONGTERM | FOLL_WRITE), the way any long-term user pins" },
      { id: "rdma-mr", device: "rdma-mr", summary: "ib_umem_get through the rdma-mr device plugin" },
    ],
    lookFor: "longterm_in_movable: prevented (migrated) under pin-bias, undetected for the ZONE_MOVABLE buffer under legacy-get; then cma_alloc and compaction failures (refused) where pins stayed",
  },
  create(env) {
    const { pages, normalPages } = env.params;
    const bytes = pages * PAGE_SIZE;
    return {
      sample(probe: SampleProbe) {
        // ZONE_MOVABLE holds exactly the first buffer; the CMA area is larger than what ZONE_NORMAL has
        // free, so the allocator puts the second buffer there (__rmqueue's ALLOC_CMA balance).
        const inst = probe.kernel({ machine: { memory: normalPages * PAGE_SIZE, movable: bytes, cma: normalPages * PAGE_SIZE + 2 * bytes } });
        const k = inst.kernel;
        const p1 = k.spawn("p1");
        const a = doMmap(k, p1, { length: bytes, prot: VM_READ | VM_WRITE, shared: false, anonymous: true, populate: true });
        const b = doMmap(k, p1, { length: bytes, prot: VM_READ | VM_WRITE, shared: false, anonymous: true, populate: true });
        probe.count("placedInMovable", framesIn(inst, p1, a, pages, ZoneId.MOVABLE));
        probe.count("placedInCma", framesIn(inst, p1, b, pages, ZoneId.CMA));
        const hca = env.variant.device !== undefined ? probe.device(inst, "hca0", env.variant.device) : undefined;
        const frames = [new Uint32Array(pages), new Uint32Array(pages)];
        const got = [a, b].map((addr, i) => probe.pin(hca !== undefined ? "reg_mr" : "pin_user_pages", () => pinLongterm(inst, p1, hca, addr, bytes, pages, frames[i], `mr${i}`)));
        probe.audit(inst);
        probe.count("strandedInMovable", framesIn(inst, p1, a, pages, ZoneId.MOVABLE));
        probe.count("strandedInCma", framesIn(inst, p1, b, pages, ZoneId.CMA));
        const cma = k.memory.zones[ZoneId.CMA];
        const alloc = cmaAlloc(k, cma.end - cma.start);
        if (typeof alloc === "number") probe.check("cma_alloc", alloc);
        else k.memory.releaseRange(alloc.pfn, alloc.pages);
        // Compaction of ZONE_MOVABLE (what offlining it relies on) cannot move pinned pages: an availability cost.
        const c = compact(k, ZoneId.MOVABLE);
        probe.count("compactionFailed", c.failed);
        if (c.failed > 0) probe.refused("compact_movable", EBUSY);
        got.forEach((n, i) => {
          if (n <= 0) return;
          probe.release(n, () => {
            if (hca !== undefined) hca.call("dereg_mr", { region: `mr${i}` }, 0);
            else inst.gup.unpinUserPagesDirtyLock(frames[i], n, true, { holder: { kind: "device", name: `longterm-mr${i}` } });
          });
        });
      },
    };
  },
});

function pinLongterm(inst: KernelInstance, proc: Process, hca: DeviceDriver | undefined, addr: number, bytes: number, pages: number, frames: Uint32Array, region: string): number {
  if (hca !== undefined) return hca.call("reg_mr", { proc: proc.name, addr, length: bytes, access: ["local_write"] }, pages, region);
  return inst.gup.pinUserPages(proc, addr, pages, FOLL_WRITE | FOLL_LONGTERM, frames, { holder: { kind: "device", name: `longterm-${region}` } });
}

/** Pages of [addr, addr + pages) of `proc` whose frame is in `zone`. */
function framesIn(inst: KernelInstance, proc: Process, addr: number, pages: number, zone: ZoneId): number {
  const pt = proc.mm!.pageTable;
  let n = 0;
  for (let i = 0; i < pages; i++) {
    const pfn = pt.pfn(addr / PAGE_SIZE + i);
    if (pfn >= 0 && inst.kernel.memory.zoneOf(pfn) === zone) n++;
  }
  return n;
}
