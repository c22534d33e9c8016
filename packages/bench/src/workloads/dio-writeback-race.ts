/**
 * `dio-writeback-race`: direct IO into a shared ext4 mapping while writeback and reclaim run.
 * @module
 */
import {
  FOLL_WRITE, PAGE_SIZE, VM_READ, VM_WRITE, doMmap, reclaim, touchRange, userWrite, writeback, type HolderRef, type KernelInstance,
} from "@pinlab/core";
import type { SampleProbe } from "../probe/sample-probe.js";
import { defineWorkload, workloadParams } from "./define-workload.js";
import { hasMarker, markedBuffer } from "./support/markers.js";
import { countParam, fitsMachine } from "./support/params.js";

/** The machine of a sample: two pages of memory per file page and round (a fresh file each round), plus room for the rest. */
function machineBytes(p: { readonly pages: number; readonly rounds: number }): number {
  return 64 * 2 ** 20 + 2 * p.pages * PAGE_SIZE * (p.rounds + 1);
}

const params = workloadParams({
  pages: countParam(1 << 16),
  rounds: countParam(1 << 12),
}).superRefine(fitsMachine("pages", ["pages", "rounds"], machineBytes));

const DIO: HolderRef = { kind: "device", name: "dio" };

/**
 * Jan Kara's 2018 race (reference §4, §11 rows 1–3): an O_DIRECT read lands in a MAP_SHARED
 * ext4 page. While the IO is in flight, writeback cleans the page and reclaim tries to free it.
 * Under FOLL_GET nothing tells either of them the page is under DMA: reclaim strips its buffers,
 * the completion dirties a page ext4 can no longer write, and the data never reaches the disk.
 * Under FOLL_PIN the page is maybe-DMA-pinned: writeback knows what it cleans, reclaim
 * re-activates it, and the re-dirtied page is written. Each round uses a fresh file; the grab
 * window is the IO's submission (the pin), the release window its completion (DMA, dirty, unpin).
 */
export const dioWritebackRace = defineWorkload({
  meta: {
    id: "dio-writeback-race",
    summary: "O_DIRECT read into a MAP_SHARED ext4 page while writeback cleans it and reclaim tries to free it",
    models: "Jan Kara's 2018 \"dirty page without buffers\" race: DIO (iov_iter pins) into a shared file mapping racing folio_clear_dirty_for_io and shrink_folio_list",
    source: "reference §4 (Jan Kara, linux-fsdevel, 3 Jan 2018; Hubbard 2018 RFC), §7, §11 rows 1-3; scenarios/dio-writeback-race.yaml",
    params,
    sizes: {
      tiny: { samples: 2, warmup: 1, pages: 4, rounds: 2 },
      small: { samples: 5, warmup: 2, pages: 16, rounds: 8 },
      default: { samples: 10, warmup: 3, pages: 64, rounds: 16 },
      large: { samples: 10, warmup: 3, pages: 256, rounds: 64 },
    },
    cost: { tiny: 0.05, small: 0.3, default: 1, large: 5 },
    variants: [
      { id: "block-layer", summary: "the workload plays the block layer: pin_user_pages_fast(FOLL_WRITE) at submission; DMA write, unpin_user_pages_dirty_lock at completion" },
      { id: "direct-io", device: "direct-io", summary: "the direct-io device plugin: iov_iter_extract_pages at submission, bio_check_pages_dirty at completion" },
    ],
    lookFor: "dma_after_clean: undetected under legacy-get (and the data is lost: lostPages), detected under pin-bias and the policies built on it",
  },
  create(env) {
    const { pages, rounds } = env.params;
    const bytes = pages * PAGE_SIZE;
    const viaDevice = env.variant.device !== undefined;
    return {
      sample(probe: SampleProbe) {
        const inst = probe.kernel({ machine: { memory: machineBytes(env.params) } });
        const k = inst.kernel;
        let warnings = 0;
        k.events.on("fs_warn", () => {
          warnings++;
        });
        const p1 = k.spawn("p1");
        const src = k.createFile("src", "ext4", bytes);
        const srcAddr = doMmap(k, p1, { length: bytes, prot: VM_READ | VM_WRITE, shared: true, anonymous: false, file: src });
        const payload = markedBuffer("dio", pages);
        userWrite(k, p1, srcAddr, payload);
        writeback(k, src);
        const drv = viaDevice ? probe.device(inst, "disk0", env.variant.device!) : undefined;
        for (let r = 0; r < rounds; r++) {
          const data = k.createFile(`data${r}`, "ext4", bytes);
          const buf = doMmap(k, p1, { length: bytes, prot: VM_READ | VM_WRITE, shared: true, anonymous: false, file: data });
          touchRange(k, p1, buf, bytes, true);
          const frames = new Uint32Array(pages);
          const got = probe.pin(viaDevice ? "dio_read" : "pin_user_pages_fast", () =>
            drv !== undefined
              ? drv.call("read", { proc: "p1", addr: buf, length: bytes, file: "src", offset: 0 }, pages, `io${r}`)
              : inst.gup.pinUserPagesFast(p1, buf, pages, FOLL_WRITE, frames, { holder: DIO }));
          // The race, while the IO is in flight: writeback cleans the pages, reclaim tries to free them.
          writeback(k, data);
          probe.audit(inst);
          reclaim(k, data);
          if (got > 0) {
            probe.release(got, () => (drv !== undefined ? k.clock.settle() : complete(inst, frames, got, payload)));
          }
          writeback(k, data);
          let lost = 0;
          for (let i = 0; i < pages; i++) if (!hasMarker(data.backing.get(i), "dio", i)) lost++;
          probe.count("lostPages", lost);
        }
        probe.count("fsWarnings", warnings);
      },
    };
  },
});

/** The block layer's completion of a read: the device writes the data, then bio_release_pages(bio, true). */
function complete(inst: KernelInstance, frames: Uint32Array, got: number, payload: Uint8Array): void {
  inst.dma.write(DIO, frames.subarray(0, got), 0, payload.subarray(0, got * PAGE_SIZE));
  inst.gup.unpinUserPagesDirtyLock(frames, got, true, { holder: DIO });
}
