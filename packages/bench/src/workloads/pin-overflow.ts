/**
 * `pin-overflow`: pins of one page, again and again, toward the end of the refcount's headroom.
 * @module
 */
import { PAGE_SIZE, VM_READ, doMmap, touchRange } from "@pinlab/core";
import type { SampleProbe } from "../probe/sample-probe.js";
import { defineWorkload, workloadParams } from "./define-workload.js";
import { countParam } from "./support/params.js";

const params = workloadParams({
  aliases: countParam(1 << 16),
  maxPins: countParam(2 ** 31),
});

/** Where the aliases are mapped: a fixed address (1 TiB), below where mmap places mappings by itself. */
const ALIAS_BASE = 2 ** 40;

/**
 * Row 27 of reference §11: one small page pinned about 2^21 times (31 bits of refcount minus the
 * 10 of the bias) overflows the refcount's sign, and GUP refuses further grabs. The page is one
 * page of a shmem file mapped at `aliases` consecutive addresses (what an attacker registering
 * the same page over and over achieves), so one `pin_user_pages_fast` call pins it `aliases`
 * times. Calls repeat until one is refused or `maxPins` pins are held; the cell records how many
 * pins were accepted (`pinsAccepted`) and the errno of the refusal. A policy whose counter does
 * not overflow within `maxPins` (plain references, an exact counter) shows no refusal. Then every
 * pin is released and the page's refcount must be what its mappings explain again.
 */
export const pinOverflow = defineWorkload({
  meta: {
    id: "pin-overflow",
    summary: "repeated pins of one page toward the bias headroom (~2^21 pins): where does each policy refuse?",
    models: "an unprivileged process registering the same page over and over (page-refcount overflow, Jann Horn 2019), against GUP_PIN_COUNTING_BIAS's 21 bits of headroom",
    source: "reference §1.3 (\"roughly 2^21 pins per small page\"), §2.3 (try_grab_folio overflow refusal) and §11 row 27",
    params,
    sizes: {
      tiny: { samples: 1, warmup: 0, aliases: 64, maxPins: 4096 },
      small: { samples: 2, warmup: 1, aliases: 512, maxPins: 2 ** 21 + 2 ** 19 },
      default: { samples: 3, warmup: 1, aliases: 1024, maxPins: 2 ** 22 },
      large: { samples: 3, warmup: 1, aliases: 4096, maxPins: 2 ** 24 },
    },
    cost: { tiny: 0.05, small: 3, default: 6, large: 25 },
    variants: [{ id: "shmem-aliases", summary: "one shmem page mapped at many consecutive addresses, pinned read-only with pin_user_pages_fast" }],
    lookFor: "pinsAccepted: about 2^21 (2,097,151 here) under pin-bias and vaddr-pin, then ENOMEM; no refusal within maxPins under legacy-get and exact-pincount, whose counters gain 1 per pin",
  },
  create(env) {
    const { aliases, maxPins } = env.params;
    return {
      sample(probe: SampleProbe) {
        const inst = probe.kernel({ machine: { memory: 64 * 2 ** 20 } });
        const k = inst.kernel;
        const page = k.createFile("page", "shmem", PAGE_SIZE);
        const p1 = k.spawn("p1");
        for (let j = 0; j < aliases; j++) {
          const addr = ALIAS_BASE + j * PAGE_SIZE;
          probe.check("mmap", doMmap(k, p1, { length: PAGE_SIZE, prot: VM_READ, shared: true, anonymous: false, file: page, addr }));
        }
        touchRange(k, p1, ALIAS_BASE, aliases * PAGE_SIZE, false);
        const pfn = page.cache.get(0)!;
        const before = k.frames.refcount[pfn];
        const frames = new Uint32Array(aliases);
        const calls: number[] = [];
        let refusedErrno = 0;
        const accepted = probe.pin("pin_user_pages_fast", () => {
          let total = 0;
          while (total < maxPins) {
            const nr = Math.min(aliases, maxPins - total);
            const got = inst.gup.pinUserPagesFast(p1, ALIAS_BASE, nr, 0, frames);
            if (got > 0) {
              calls.push(got);
              total += got;
            }
            if (got < nr) {
              refusedErrno = got < 0 ? -got : 0;
              if (got >= 0) {
                // A short count: the next call meets the refusal itself.
                const again = inst.gup.pinUserPagesFast(p1, ALIAS_BASE, 1, 0, frames);
                if (again > 0) calls.push(again);
                refusedErrno = again < 0 ? -again : refusedErrno;
                if (again > 0) total += again;
              }
              break;
            }
          }
          return total;
        });
        if (refusedErrno !== 0) probe.refused("pin_user_pages_fast", refusedErrno);
        probe.count("pinsAccepted", accepted);
        probe.count("refusedWithinMaxPins", refusedErrno !== 0 ? 1 : 0);
        probe.count("refcountWrapped", k.frames.refcount[pfn] < 0 ? 1 : 0);
        probe.audit(inst, [pfn]);
        probe.release(accepted, () => {
          for (const n of calls) inst.gup.unpinUserPages(frames, n);
        });
        probe.count("refcountRestored", k.frames.refcount[pfn] === before ? 1 : 0);
      },
    };
  },
});
