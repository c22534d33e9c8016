/**
 * Reference §11 rows 24-25: fork() while an anonymous page is pinned for RDMA (MAP_PRIVATE, no
 * MADV_DONTFORK), then the parent writes and the device DMAs into the pinned frame.
 *
 *   parent:  [ buf: private anonymous, 1 page ]  --fork-->  child: [ buf ]
 */
import { FOLL_LONGTERM, FOLL_WRITE, doFork, userRead, userWrite, type KernelEvent, type Process } from "@pinlab/core";
import { rowTable } from "../test-support/row-table.js";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array | number) => (typeof b === "number" ? `errno ${b}` : new TextDecoder().decode(b));

type ForkOutcome = { copiedForDma: number; parentKeepsPinnedPage: boolean; parentSees: string; childSees: string };

rowTable<ForkOutcome>([
  {
    row: "24/25",
    title: "fork while an anonymous page is long-term pinned; the parent writes, then the device DMAs",
    expect: {
      // Row 25: the page is COW-shared; the parent's write moves it to a new page, the device keeps
      // the old one, which the child now owns: silent divergence.
      "legacy-get": { copiedForDma: 0, parentKeepsPinnedPage: false, parentSees: "parent", childSees: "device" },
      // Row 24: fork gives the child its own copy at once; the parent keeps the pinned page.
      "pin-bias": { copiedForDma: 1, parentKeepsPinnedPage: true, parentSees: "device", childSees: "origin" },
      "vaddr-pin": { copiedForDma: 1, parentKeepsPinnedPage: true, parentSees: "device", childSees: "origin" },
      "exact-pincount": { copiedForDma: 1, parentKeepsPinnedPage: true, parentSees: "device", childSees: "origin" },
    },
    run(l) {
      const forks: KernelEvent<"fork">[] = [];
      l.k.events.on("fork", (e) => forks.push(e));
      const parent = l.spawn("parent");
      const a = l.map(parent, 1);
      if (userWrite(l.k, parent, a, enc("origin")) !== 0) throw new Error("write failed");
      const pages: number[] = [];
      if (l.gup.pinUserPagesFast(parent, a, 1, FOLL_LONGTERM | FOLL_WRITE, pages) !== 1) throw new Error("pin failed");
      l.check();
      const child = doFork(l.k, parent, "child") as Process;
      l.check();
      if (userWrite(l.k, parent, a, enc("parent")) !== 0) throw new Error("write failed");
      l.check();
      l.k.memory.contents.write(pages[0], 0, enc("device"));
      const outcome = {
        copiedForDma: forks[0].copiedForDma,
        parentKeepsPinnedPage: l.pfnAt(parent, a) === pages[0],
        parentSees: dec(userRead(l.k, parent, a, 6)),
        childSees: dec(userRead(l.k, child, a, 6)),
      };
      l.gup.unpinUserPagesDirtyLock(pages, 1, true);
      return outcome;
    },
  },
]);
