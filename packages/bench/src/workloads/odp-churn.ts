/**
 * `odp-churn`: an on-demand-paging mirror while the mm migrates, writes back and truncates under it.
 * @module
 */
import { PAGE_SIZE, VM_READ, VM_WRITE, doMmap, doTruncate, migrateRange, writeback } from "@pinlab/core";
import type { SampleProbe } from "../probe/sample-probe.js";
import { defineWorkload, workloadParams } from "./define-workload.js";
import { pageMarker } from "./support/markers.js";
import { countParam } from "./support/params.js";

const params = workloadParams({
  pages: countParam(1 << 16),
  rounds: countParam(1 << 12),
});

/** The three regions of the mirror: private anonymous memory, a shmem file, an ext4 file. */
const REGIONS = ["anon", "shm", "data"] as const;

/**
 * ODP under churn (reference §6, §11 rows 18–20): a NIC mirrors three regions (anonymous, shmem,
 * ext4) through an MMU interval notifier and holds no pin. Each round prefetches everything,
 * writes through the mirror, then the mm migrates the anonymous pages, writes back the ext4 file
 * and truncates the shmem file (and grows it back); the device reads and writes again, faulting
 * the new pages in. Nothing is pinned, so migration and truncate succeed and no hazard arises;
 * the cost moves to invalidations and device faults, which the cell counts. The `fill-get`
 * variant is the 2019 driver, which took a transient GUP reference while filling.
 */
export const odpChurn = defineWorkload({
  meta: {
    id: "odp-churn",
    summary: "ODP mirror over anon, shmem and ext4 memory while the mm migrates, writes back and truncates under it",
    models: "an ib_umem_odp / hmm_range_fault mirror (mlx5 ODP, lib/test_hmm.c) under page migration, writeback's folio_mkclean and truncate",
    source: "reference §6 and §11 rows 18-20; drivers/infiniband/core/umem_odp.c, mm/hmm.c (v6.12); scenarios/odp-migrate-and-truncate.yaml",
    params,
    sizes: {
      tiny: { samples: 2, warmup: 1, pages: 4, rounds: 2 },
      small: { samples: 5, warmup: 2, pages: 32, rounds: 4 },
      default: { samples: 10, warmup: 3, pages: 128, rounds: 8 },
      large: { samples: 10, warmup: 3, pages: 1024, rounds: 16 },
    },
    cost: { tiny: 0.05, small: 0.3, default: 1, large: 8 },
    variants: [
      { id: "hmm", device: "odp-mirror", summary: "v6.12: hmm_range_fault fills the mirror, no page reference is ever held" },
      { id: "fill-get", device: "odp-mirror", summary: "2019: get_user_pages_remote while filling, put_page right after mapping" },
    ],
    lookFor: "no hazard and no pin under every policy (nr_foll_pin_acquired 0 for hmm), every migration succeeds, and the invalidations and device faults it costs instead",
  },
  create(env) {
    const { pages, rounds } = env.params;
    const bytes = pages * PAGE_SIZE;
    const fill = env.variant.id === "fill-get" ? "get" : "none";
    return {
      sample(probe: SampleProbe) {
        const inst = probe.kernel({ machine: { memory: 64 * 2 ** 20 + 8 * bytes } });
        const k = inst.kernel;
        const shm = k.createFile("shm", "shmem", bytes);
        const data = k.createFile("data", "ext4", bytes);
        const p1 = k.spawn("p1");
        const addr = {
          anon: doMmap(k, p1, { length: bytes, prot: VM_READ | VM_WRITE, shared: false, anonymous: true }),
          shm: doMmap(k, p1, { length: bytes, prot: VM_READ | VM_WRITE, shared: true, anonymous: false, file: shm }),
          data: doMmap(k, p1, { length: bytes, prot: VM_READ | VM_WRITE, shared: true, anonymous: false, file: data }),
        };
        const nic = probe.device(inst, "nic0", "odp-mirror", { fill });
        for (const r of REGIONS) probe.check("reg_mr", nic.call("reg_mr", { proc: "p1", addr: addr[r], length: bytes }, 0, r));
        let migrated = 0;
        let migrateFailed = 0;
        let staleReads = 0;
        for (let round = 0; round < rounds; round++) {
          probe.pin("prefetch", () => {
            let n = 0;
            for (const r of REGIONS) {
              const ret = nic.call("prefetch", { region: r, offset: 0, length: bytes, write: true }, pages);
              if (ret < 0) return ret;
              n += ret;
            }
            return n;
          });
          const tag = `r${round}`;
          for (const r of REGIONS) for (let i = 0; i < pages; i++) nic.perform("dma_write", { region: r, offset: i * PAGE_SIZE, data: pageMarker(tag, i) });
          probe.audit(inst);
          const m = migrateRange(k, p1.pid, addr.anon, bytes);
          migrated += m.migrated;
          migrateFailed += m.failed;
          writeback(k, data);
          probe.check("ftruncate", doTruncate(k, shm, 0));
          probe.check("ftruncate", doTruncate(k, shm, bytes));
          for (let i = 0; i < pages; i++) {
            const r = nic.perform("dma_read", { region: "anon", offset: i * PAGE_SIZE, length: pageMarker(tag, i).length });
            if (!r.ok || r.value !== pageMarker(tag, i)) staleReads++;
            nic.perform("dma_write", { region: "data", offset: i * PAGE_SIZE, data: pageMarker(`${tag}w`, i) });
            nic.perform("dma_write", { region: "shm", offset: i * PAGE_SIZE, data: pageMarker(`${tag}t`, i) });
          }
        }
        probe.count("migratedPages", migrated);
        probe.count("migrateFailedPages", migrateFailed);
        probe.count("staleReads", staleReads);
        for (const c of ["invalidations", "faults", "retries", "pagesZapped", "transientRefs"]) probe.count(c, nic.counter(c));
        probe.count("nr_foll_pin_acquired", k.vmstat.nr_foll_pin_acquired);
        probe.release(pages * REGIONS.length, () => {
          for (const r of REGIONS) nic.call("dereg_mr", { region: r }, 0);
        });
      },
    };
  },
});
