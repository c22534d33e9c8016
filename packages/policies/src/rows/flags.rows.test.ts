/**
 * Reference §11 row 31: bad flag combinations, and what each wrapper returns for them
 * (`is_valid_gup_args()`, mm/gup.c v6.12: get_user_pages* and pin_user_pages_fast give -EINVAL,
 * pin_user_pages and pin_user_pages_remote give 0).
 *
 *   p's address space:  [ buf: private anonymous, 2 pages, written ]
 */
import { EINVAL, FOLL_GET, FOLL_LONGTERM, FOLL_PIN, type PageArray } from "@pinlab/core";
import type { Lab } from "../test-support/lab.js";
import { rowTable } from "../test-support/row-table.js";

type Calls = Record<string, number>;

/** Run every wrapper with `flags` (and `pages`, unless `noPages`); release what was taken; report each return value. */
function everyWrapper(l: Lab, flags: number, noPages = false): Calls & { refsLeft: number } {
  const p = l.spawn("p");
  const a = l.map(p, 2);
  l.touch(p, a, 2, true);
  const out: Calls = {};
  const none = undefined as unknown as PageArray;
  const call = (name: string, fn: (pages: PageArray) => number, release: "put" | "unpin") => {
    const pages: number[] = [];
    const r = fn(noPages ? none : pages);
    out[name] = r;
    l.check();
    if (r > 0 && !noPages) {
      if (release === "put") l.gup.putPages(pages, r);
      else l.gup.unpinUserPages(pages, r);
    }
  };
  call("get_user_pages", (pg) => l.gup.getUserPages(p, a, 2, flags, pg), "put");
  call("get_user_pages_remote", (pg) => l.gup.getUserPagesRemote(p, a, 2, flags, pg, { locked: 1 }), "put");
  call("get_user_pages_fast", (pg) => l.gup.getUserPagesFast(p, a, 2, flags, pg), "put");
  call("get_user_pages_fast_only", (pg) => l.gup.getUserPagesFastOnly(p, a, 2, flags, pg), "put");
  call("pin_user_pages", (pg) => l.gup.pinUserPages(p, a, 2, flags, pg), "unpin");
  call("pin_user_pages_remote", (pg) => l.gup.pinUserPagesRemote(p, a, 2, flags, pg, { locked: 1 }), "unpin");
  call("pin_user_pages_fast", (pg) => l.gup.pinUserPagesFast(p, a, 2, flags, pg), "unpin");
  const v = l.k.vmstat;
  const refsLeft = v.nr_foll_pin_acquired - v.nr_foll_pin_released + v.nr_gup_get_acquired - v.nr_gup_get_released;
  return { ...out, refsLeft };
}

const E = -EINVAL;

/** The same answer under every policy. */
const same = <O>(o: O): Record<string, O> => ({ "legacy-get": o, "pin-bias": o, "vaddr-pin": o, "exact-pincount": o });

rowTable<Calls>([
  {
    row: "31a",
    title: "FOLL_GET | FOLL_PIN: the caller passes the flag the wrapper does not set",
    // get_user_pages*: FOLL_PIN is internal-only (EINVAL). pin_user_pages*: FOLL_GET clashes with the FOLL_PIN it sets.
    expect: same({
      get_user_pages: E, get_user_pages_remote: E, get_user_pages_fast: E, get_user_pages_fast_only: E,
      pin_user_pages: 0, pin_user_pages_remote: 0, pin_user_pages_fast: E, refsLeft: 0,
    }),
    run: (l) => everyWrapper(l, FOLL_GET | FOLL_PIN),
  },
  {
    row: "31b",
    title: "FOLL_LONGTERM without FOLL_PIN",
    expect: {
      // 2019: get_user_pages() routed FOLL_LONGTERM into __gup_longterm_locked(); get_user_pages_remote() refused it.
      "legacy-get": {
        get_user_pages: 2, get_user_pages_remote: E, get_user_pages_fast: 2, get_user_pages_fast_only: 2,
        // The remote refusal reaches pin_user_pages_remote too, which reports a refusal as 0.
        pin_user_pages: 2, pin_user_pages_remote: 0, pin_user_pages_fast: 2, refsLeft: 0,
      },
      // v6.12: "LONGTERM can only be specified when pinning"; the pin wrappers set FOLL_PIN, so they are fine.
      ...Object.fromEntries(["pin-bias", "vaddr-pin", "exact-pincount"].map((id) => [id, {
        get_user_pages: E, get_user_pages_remote: E, get_user_pages_fast: E, get_user_pages_fast_only: E,
        pin_user_pages: 2, pin_user_pages_remote: 2, pin_user_pages_fast: 2, refsLeft: 0,
      }])),
    },
    run: (l) => everyWrapper(l, FOLL_LONGTERM),
  },
  {
    row: "31c",
    title: "no pages array (pages == NULL) with flags that take references",
    // get_user_pages*(0, NULL) only faults in: fine. The fast variants and the pin wrappers need pages.
    expect: same({
      get_user_pages: 2, get_user_pages_remote: 2, get_user_pages_fast: E, get_user_pages_fast_only: E,
      pin_user_pages: 0, pin_user_pages_remote: 0, pin_user_pages_fast: E, refsLeft: 0,
    }),
    run: (l) => everyWrapper(l, 0, true),
  },
  {
    row: "31d",
    title: "FOLL_GET with no pages array",
    expect: same({
      get_user_pages: E, get_user_pages_remote: E, get_user_pages_fast: E, get_user_pages_fast_only: E,
      pin_user_pages: 0, pin_user_pages_remote: 0, pin_user_pages_fast: E, refsLeft: 0,
    }),
    run: (l) => everyWrapper(l, FOLL_GET, true),
  },
]);
