/**
 * Reference §11 row 29: GUP-fast FOLL_PIN racing with fork's write-protect of the same mm
 * (`mm->write_protect_seq`).
 *
 *   p's address space:  [ buf: private anonymous, 8 pages, written ]
 */
import { FOLL_WRITE, type GrabMode } from "@pinlab/core";
import type { Lab } from "../test-support/lab.js";
import { rowTable } from "../test-support/row-table.js";

type RaceOutcome = { ret: number; fastPages: number; slowPages: number; pinsBalance: number };

/** Pin the 8 pages with pin_user_pages_fast(FOLL_WRITE) after `race` set things up; report, then unpin. */
function pinDuringFork(l: Lab, race: (l: Lab, mm: NonNullable<ReturnType<Lab["spawn"]>["mm"]>) => void): RaceOutcome {
  const p = l.spawn("p");
  const a = l.map(p, 8);
  l.touch(p, a, 8, true);
  race(l, p.mm!);
  const pages: number[] = [];
  const ret = l.gup.pinUserPagesFast(p, a, 8, FOLL_WRITE, pages);
  const { fastPages, slowPages } = l.lastGup;
  l.check();
  const v = l.k.vmstat;
  const pinsBalance = v.nr_foll_pin_acquired - v.nr_foll_pin_released + v.nr_gup_get_acquired - v.nr_gup_get_released;
  if (ret > 0) l.gup.unpinUserPages(pages, ret);
  return { ret, fastPages, slowPages, pinsBalance };
}

rowTable<RaceOutcome>([
  {
    row: "29a",
    title: "fork is write-protecting the mm (write_protect_seq odd) when GUP-fast pins",
    expect: {
      // No FOLL_PIN, no sequence check (2019): the fast path takes everything.
      "legacy-get": { ret: 8, fastPages: 8, slowPages: 0, pinsBalance: 8 },
      // gup_fast() bails out at once; the slow path pins under mmap_lock.
      "pin-bias": { ret: 8, fastPages: 0, slowPages: 8, pinsBalance: 8 },
      "vaddr-pin": { ret: 8, fastPages: 0, slowPages: 8, pinsBalance: 8 },
      "exact-pincount": { ret: 8, fastPages: 0, slowPages: 8, pinsBalance: 8 },
    },
    run: (l) =>
      pinDuringFork(l, (_l, mm) => {
        mm.writeProtectSeq++;
      }),
  },
  {
    row: "29b",
    title: "a fork begins and ends while GUP-fast walks (write_protect_seq changed by the end of the walk)",
    expect: {
      "legacy-get": { ret: 8, fastPages: 8, slowPages: 0, pinsBalance: 8 },
      // gup_fast() unpins everything it took and returns 0; the slow path pins again.
      "pin-bias": { ret: 8, fastPages: 0, slowPages: 8, pinsBalance: 8 },
      "vaddr-pin": { ret: 8, fastPages: 0, slowPages: 8, pinsBalance: 8 },
      "exact-pincount": { ret: 8, fastPages: 0, slowPages: 8, pinsBalance: 8 },
    },
    run: (l) =>
      pinDuringFork(l, (lab, mm) => {
        // The first grab of the walk lets a whole fork (begin + end) happen on another CPU.
        const policy = lab.k.policy;
        const grab = policy.grab;
        // The race hides in grab(); replacing it takes the fast-path declaration out of use, so GUP-fast calls it for every page.
        let raced = false;
        policy.grab = (head: number, refs: number, mode: GrabMode): boolean => {
          if (!raced) {
            raced = true;
            mm.writeProtectSeq += 2;
          }
          return grab(head, refs, mode);
        };
      }),
  },
]);
