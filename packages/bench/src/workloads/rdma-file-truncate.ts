/**
 * `rdma-file-truncate`: an RDMA region over a shared file mapping, then the file is truncated.
 * @module
 */
import { PAGE_SIZE, VM_READ, VM_WRITE, doMmap, doTruncate, readFileData, userWrite, type FsTypeName } from "@pinlab/core";
import { z } from "zod";
import type { SampleProbe } from "../probe/sample-probe.js";
import { defineWorkload, workloadParams } from "./define-workload.js";
import { hasMarker, markedBuffer } from "./support/markers.js";
import { countParam } from "./support/params.js";
import { recordRefusedTruncate } from "./support/refused-truncate.js";

const params = workloadParams({
  pages: countParam(1 << 16),
  writable: z.boolean(),
});

/**
 * The RDMA/FS-DAX truncate problem (reference §2.2, §2.7, §3, §11 rows 7–8, 10–13): a process
 * registers a shared file mapping as an RDMA region, another process truncates the file, a third
 * writes a new file, and the HCA writes into the region. On ext4 the region's pages leave the
 * file (DMA into truncated pages); on FS-DAX the freed blocks are handed to the next file (DMA
 * into another file's data). Each policy answers at a different point: v6.12 refuses the
 * long-term writable pin (ext4: EFAULT, FS-DAX: EOPNOTSUPP); the vaddr_pin RFC lets a lease
 * holder pin FS-DAX and refuses the truncate (ETXTBSY); the FOLL_GET kernel before v4.18
 * (`legacy-get` with `fsdaxLongterm: true, daxBusyWait: false`) lets everything through.
 */
export const rdmaFileTruncate = defineWorkload({
  meta: {
    id: "rdma-file-truncate",
    summary: "RDMA region over a shared ext4 or FS-DAX mapping, the file truncated, a new file written, then the HCA writes",
    models: "the RDMA/FS-DAX truncate problem behind Ira Weiny's 2019 vaddr_pin / layout-lease RFC, and v6.12's refusals of long-term file pins",
    source: "reference §2.2, §2.7, §3.1-3.5, §11 rows 7, 8, 10-13; scenarios/fsdax-block-reuse-legacy.yaml, rdma-mr-fsdax-lease.yaml, dma-to-truncated-ext4.yaml",
    params,
    sizes: {
      tiny: { samples: 2, warmup: 1, pages: 4, writable: true },
      small: { samples: 5, warmup: 2, pages: 32, writable: true },
      default: { samples: 10, warmup: 3, pages: 128, writable: true },
      large: { samples: 10, warmup: 3, pages: 1024, writable: true },
    },
    cost: { tiny: 0.05, small: 0.2, default: 0.6, large: 3 },
    variants: [
      { id: "ext4", device: "rdma-mr", summary: "the file is on ext4 (page cache, dirty-tracked)" },
      { id: "fsdax", device: "rdma-mr", summary: "the file is on FS-DAX (its blocks are persistent-memory frames)" },
    ],
    policyOptions: { "legacy-get": { fsdaxLongterm: true, daxBusyWait: false } },
    lookFor: "fsdax: pin-bias refuses the pin (EOPNOTSUPP), vaddr-pin refuses the truncate (ETXTBSY, prevented), legacy-get before v4.18 reuses the blocks (dma_to_freed undetected, corruptedPages > 0); ext4: legacy-get meets dma_to_truncated, v6.12 refuses the pin (EFAULT)",
  },
  create(env) {
    const { pages, writable } = env.params;
    const bytes = pages * PAGE_SIZE;
    const fs: FsTypeName = env.variant.id === "fsdax" ? "fsdax" : "ext4";
    return {
      sample(probe: SampleProbe) {
        const inst = probe.kernel({ machine: { memory: 64 * 2 ** 20 + 4 * bytes, pmem: fs === "fsdax" ? Math.max(4 * 2 ** 20, 4 * bytes) : 0 } });
        const k = inst.kernel;
        const victim = k.createFile("victim", fs, bytes);
        const bystander = k.createFile("bystander", fs, bytes);
        const p1 = k.spawn("p1");
        const admin = k.spawn("admin");
        const p2 = k.spawn("p2");
        const buf = doMmap(k, p1, { length: bytes, prot: VM_READ | VM_WRITE, shared: true, anonymous: false, file: victim });
        userWrite(k, p1, buf, markedBuffer("victim", pages));
        // The RFC's bargain: the registering process takes an exclusive layout lease first. Policies without
        // leases answer EINVAL: a missing feature, not a refused operation, so it is counted apart.
        probe.count("leaseTaken", k.policy.setLease(victim, p1.pid, "exclusive") === 0 ? 1 : 0);
        const hca = probe.device(inst, "hca0", "rdma-mr");
        const access = writable ? ["local_write"] : [];
        const got = probe.pin("reg_mr", () => hca.call("reg_mr", { proc: "p1", addr: buf, length: bytes, access }, pages, "mr"));
        probe.audit(inst);
        const t = probe.check("ftruncate", doTruncate(k, victim, 0, admin.pid));
        if (t < 0) recordRefusedTruncate(inst, victim, -t);
        const other = doMmap(k, p2, { length: bytes, prot: VM_READ | VM_WRITE, shared: true, anonymous: false, file: bystander });
        userWrite(k, p2, other, markedBuffer("bystander", pages));
        if (got > 0) {
          for (let i = 0; i < pages; i++) {
            if (writable) hca.perform("dma_write", { region: "mr", offset: i * PAGE_SIZE, data: "CORRUPT" });
            else hca.perform("dma_read", { region: "mr", offset: i * PAGE_SIZE, length: 8 });
          }
        }
        let corrupted = 0;
        for (let i = 0; i < pages; i++) if (!hasMarker(readFileData(k, bystander, i * PAGE_SIZE, 32), "bystander", i)) corrupted++;
        probe.count("corruptedPages", corrupted);
        probe.count("victimPagesKept", victim.cache.size);
        if (got > 0) probe.release(got, () => void hca.call("dereg_mr", { region: "mr" }, 0));
      },
    };
  },
});
