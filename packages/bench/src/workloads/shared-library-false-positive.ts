/**
 * `shared-library-false-positive`: how often `maybeDmaPinned` lies about a page many processes map.
 * @module
 */
import { FOLL_WRITE, PAGE_SIZE, VM_EXEC, VM_READ, VM_WRITE, doMmap, touchRange } from "@pinlab/core";
import { z } from "zod";
import type { SampleProbe } from "../probe/sample-probe.js";
import { defineWorkload, workloadParams } from "./define-workload.js";
import { countParam } from "./support/params.js";

/** Most processes one point of the curve maps the library into. */
export const MAX_LIBRARY_PROCESSES = 4096;

const params = workloadParams({
  processes: z.array(countParam(MAX_LIBRARY_PROCESSES)).min(1),
  libraryPages: countParam(1 << 12),
  pinnedPages: countParam(1 << 12),
});

/**
 * Row 26 of reference §11: a small page with 1024 or more ordinary references looks "maybe DMA
 * pinned" to the bias counter without any pin. For each N of the curve, N processes map a
 * library (small pages of a private file mapping, text) and fault it in, so each page has N
 * mappings and the page cache's reference; one more process really pins a buffer of its own
 * (truth for false negatives). Then every user page is asked `maybeDmaPinned`, outside the
 * timed windows: the false-positive rate at N is the share of unpinned pages called pinned, the
 * false-negative rate the share of pinned pages called unpinned. The timed windows are the real
 * pin and unpin of the buffer.
 */
export const sharedLibraryFalsePositive = defineWorkload({
  meta: {
    id: "shared-library-false-positive",
    summary: "N processes map a shared library's small pages (N up to 4096): how often does maybeDmaPinned lie?",
    models: "a shared-library page (libc text) mapped by every process on a busy machine, met by writeback, reclaim or fork asking folio_maybe_dma_pinned",
    source: "reference §1.4 (false positives of the bias) and §11 row 26; include/linux/mm.h folio_maybe_dma_pinned (v6.12); scenarios/shared-page-false-positive.yaml",
    params,
    sizes: {
      tiny: { samples: 2, warmup: 1, processes: [1, 1023, 1024], libraryPages: 2, pinnedPages: 1 },
      small: { samples: 3, warmup: 1, processes: [1, 256, 512, 1022, 1023, 1024, 2048, 4096], libraryPages: 4, pinnedPages: 4 },
      default: { samples: 5, warmup: 1, processes: [1, 256, 512, 768, 1022, 1023, 1024, 1536, 2048, 3072, 4096], libraryPages: 8, pinnedPages: 8 },
      large: { samples: 5, warmup: 1, processes: [1, 128, 256, 512, 768, 1000, 1022, 1023, 1024, 1100, 1536, 2048, 2560, 3072, 3584, 4096], libraryPages: 64, pinnedPages: 64 },
    },
    cost: { tiny: 0.2, small: 3, default: 6, large: 20 },
    variants: [{ id: "libc", summary: "private read-only file mapping of an ext4 file, each process faulting every page in" }],
    lookFor: "false-positive rate against N: 0 below 1023 mappings, 1 from 1023 (refcount >= 1024 with the page cache's reference) under pin-bias and vaddr-pin; 0 always under exact-pincount; legacy-get never says pinned (false negatives instead)",
  },
  create(env) {
    const { processes, libraryPages, pinnedPages } = env.params;
    const libBytes = libraryPages * PAGE_SIZE;
    const pinBytes = pinnedPages * PAGE_SIZE;
    const curve = [...new Set(processes)].sort((a, b) => a - b);
    return {
      sample(probe: SampleProbe) {
        for (const n of curve) {
          const inst = probe.kernel({ machine: { memory: 64 * 2 ** 20 + 2 * (libBytes + pinBytes) } });
          const k = inst.kernel;
          const lib = k.createFile("libc.so", "ext4", libBytes);
          for (let p = 0; p < n; p++) {
            const proc = k.spawn(`u${p}`);
            const text = doMmap(k, proc, { length: libBytes, prot: VM_READ | VM_EXEC, shared: false, anonymous: false, file: lib });
            probe.check("mmap", text);
            touchRange(k, proc, text, libBytes, false);
          }
          const pinner = k.spawn("pinner");
          const buf = doMmap(k, pinner, { length: pinBytes, prot: VM_READ | VM_WRITE, shared: false, anonymous: true, populate: true });
          const frames = new Uint32Array(pinnedPages);
          const got = probe.pin("pin_user_pages", () => inst.gup.pinUserPages(pinner, buf, pinnedPages, FOLL_WRITE, frames));
          const libFrames = Uint32Array.from(lib.cache.values());
          const onLib = probe.audit(inst, libFrames);
          const onBuf = probe.audit(inst, frames.subarray(0, Math.max(0, got)));
          probe.point("false-positive-rate", n, {
            falsePositiveRate: onLib.unpinned > 0 ? onLib.falsePositives / onLib.unpinned : 0,
            falseNegativeRate: onBuf.pinned > 0 ? onBuf.falseNegatives / onBuf.pinned : 0,
            refcount: libFrames.length > 0 ? k.frames.refcount[libFrames[0]] : 0,
          });
          if (got > 0) probe.release(got, () => inst.gup.unpinUserPages(frames, got));
        }
      },
    };
  },
});
