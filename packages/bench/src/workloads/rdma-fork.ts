/**
 * `rdma-fork`: an RDMA memory region, then fork, then the parent writes.
 * @module
 */
import { PAGE_SIZE, VM_READ, VM_WRITE, doFork, doMmap, userRead, userWrite } from "@pinlab/core";
import type { SampleProbe } from "../probe/sample-probe.js";
import { defineWorkload, workloadParams } from "./define-workload.js";
import { hasMarker, pageMarker, utf8 } from "./support/markers.js";
import { countParam, fitsMachine } from "./support/params.js";

/** The machine of a sample: the region, a copy per fork and a few spare, plus room for the rest. */
function machineBytes(p: { readonly pages: number; readonly forks: number }): number {
  return 64 * 2 ** 20 + p.pages * PAGE_SIZE * (p.forks + 3);
}

const params = workloadParams({
  pages: countParam(1 << 18),
  forks: countParam(1024),
}).superRefine(fitsMachine("pages", ["pages", "forks"], machineBytes));

/**
 * GUP-after-fork (reference §2.6, §11 rows 24–25): a process registers a private anonymous
 * buffer as an RDMA memory region (long-term, writable), forks without MADV_DONTFORK, and then
 * writes to the buffer. With plain references fork shares the pages copy-on-write, the parent's
 * write moves it to new pages, and the HCA keeps writing into the old ones, which now belong to
 * the child: silent divergence. With FOLL_PIN the mm has MMF_HAS_PINNED and the pages may be
 * pinned, so fork gives the child copies at once and the parent keeps the pinned pages. Afterwards
 * the workload reads back, outside the timed windows, how many pages the parent cannot see the
 * device's data in.
 */
export const rdmaFork = defineWorkload({
  meta: {
    id: "rdma-fork",
    summary: "RDMA region on private anonymous memory, then fork, then the parent writes and the HCA writes",
    models: "an RDMA application forking (system(), a helper process) while a memory region is registered, without MADV_DONTFORK",
    source: "reference §2.6 and §11 rows 24-25; Peter Xu's 2020 \"mm: Do early cow for pinned pages during fork()\"; include/linux/rmap.h __folio_try_dup_anon_rmap; scenarios/rdma-mr-fork.yaml",
    params,
    sizes: {
      tiny: { samples: 2, warmup: 1, pages: 4, forks: 1 },
      small: { samples: 5, warmup: 2, pages: 64, forks: 2 },
      default: { samples: 10, warmup: 3, pages: 256, forks: 4 },
      large: { samples: 10, warmup: 3, pages: 4096, forks: 8 },
    },
    cost: { tiny: 0.05, small: 0.3, default: 1, large: 6 },
    variants: [{ id: "rdma-mr", device: "rdma-mr", summary: "ib_umem_get / ib_umem_release through the rdma-mr device plugin" }],
    lookFor: "cow_divergence: undetected under legacy-get (divergedPages > 0), prevented under pin-bias (fork copied the pages for the child)",
  },
  create(env) {
    const { pages, forks } = env.params;
    const bytes = pages * PAGE_SIZE;
    return {
      sample(probe: SampleProbe) {
        const inst = probe.kernel({ machine: { memory: machineBytes(env.params) } });
        const k = inst.kernel;
        const p1 = k.spawn("p1");
        const buf = doMmap(k, p1, { length: bytes, prot: VM_READ | VM_WRITE, shared: false, anonymous: true, populate: true });
        for (let i = 0; i < pages; i++) userWrite(k, p1, buf + i * PAGE_SIZE, utf8(pageMarker("before", i)));
        const hca = probe.device(inst, "hca0", "rdma-mr");
        const got = probe.pin("reg_mr", () => hca.call("reg_mr", { proc: "p1", addr: buf, length: bytes, access: ["local_write", "remote_write"] }, pages, "mr"));
        probe.audit(inst);
        for (let f = 0; f < forks; f++) {
          const child = doFork(k, p1, `c${f}`);
          if (typeof child === "number") probe.check("fork", child);
        }
        for (let i = 0; i < pages; i++) userWrite(k, p1, buf + i * PAGE_SIZE, utf8(pageMarker("parent", i)));
        if (got > 0) {
          for (let i = 0; i < pages; i++) hca.perform("dma_write", { region: "mr", offset: i * PAGE_SIZE, data: pageMarker("remote", i) });
        }
        let diverged = 0;
        for (let i = 0; i < pages; i++) {
          const seen = userRead(k, p1, buf + i * PAGE_SIZE, 32);
          if (got > 0 && !hasMarker(typeof seen === "number" ? undefined : seen, "remote", i)) diverged++;
        }
        probe.count("divergedPages", diverged);
        probe.count("forkCopies", k.vmstat.nr_fork_dma_copies);
        if (got > 0) probe.release(got, () => void hca.call("dereg_mr", { region: "mr" }, 0));
      },
    };
  },
});
