// A plugin module that exports only a workload, for the tests of workload plugins (bench and
// CLI): `--plugin` loads it into every worker, `--workloads longterm-pin-fixture` selects it.
// It is the example of guide 6 ("Writing a workload plugin") in plain JavaScript: a process maps
// anonymous memory, pins it long-term for a device and unpins it; the grab and the release are
// timed apart and the policy is asked about every page while the pin is held.
import { countParam, defineWorkload, workloadParams } from "@pinlab/bench";
import { FOLL_LONGTERM, FOLL_WRITE, PAGE_SIZE, VM_READ, VM_WRITE, doMmap } from "@pinlab/core";

export const workloads = [
  defineWorkload({
    meta: {
      id: "longterm-pin-fixture",
      summary: "pin anonymous memory long-term, then unpin it",
      models: "a driver registering a user buffer for DMA (pin_user_pages with FOLL_LONGTERM)",
      source: "mm/gup.c pin_user_pages (v6.12)",
      params: workloadParams({ pages: countParam(4096) }),
      sizes: {
        tiny: { samples: 2, warmup: 0, pages: 4 },
        small: { samples: 5, warmup: 1, pages: 64 },
        default: { samples: 10, warmup: 2, pages: 256 },
        large: { samples: 10, warmup: 3, pages: 4096 },
      },
      cost: { tiny: 0.01, small: 0.05, default: 0.2, large: 1 },
      variants: [{ id: "gup", summary: "pin_user_pages called by the workload itself" }],
      lookFor: "pinnedPages equals pages under every policy that counts pins",
    },
    create(env) {
      const { pages } = env.params;
      return {
        sample(probe) {
          const inst = probe.kernel({ machine: { memory: 16 * 2 ** 20 } });
          const p1 = inst.kernel.spawn("p1");
          const addr = doMmap(inst.kernel, p1, { length: pages * PAGE_SIZE, prot: VM_READ | VM_WRITE, shared: false, anonymous: true, populate: true });
          const frames = new Uint32Array(pages);
          const got = probe.pin("pin_user_pages", () => inst.gup.pinUserPages(p1, addr, pages, FOLL_LONGTERM | FOLL_WRITE, frames));
          probe.audit(inst);
          probe.count("pinnedPages", Math.max(got, 0));
          if (got > 0) probe.release(got, () => inst.gup.unpinUserPages(frames, got));
        },
      };
    },
  }),
];
