/**
 * Flag validation: `is_valid_gup_args()` (mm/gup.c, v6.12) for every wrapper, and what each
 * wrapper returns on refusal (get_user_pages*, pin_user_pages_fast: -EINVAL; pin_user_pages,
 * pin_user_pages_remote: 0), plus gup_fast_fallback()'s own mask.
 */
import { describe, expect, it } from "vitest";
import { EINVAL } from "../errno.js";
import type { KernelEvent } from "../events/event-types.js";
import { doMmap } from "../mm/mmap.js";
import { touchRange } from "../mm/user-access.js";
import { VM_READ, VM_WRITE } from "../mm/vm-flags.js";
import { PAGE_SIZE } from "../sim/units.js";
import { expectConsistent, testKernel } from "../testing/index.js";
import {
  FOLL_ANON, FOLL_DUMP, FOLL_FAST_ONLY, FOLL_FORCE, FOLL_GET, FOLL_LONGTERM, FOLL_MADV_POPULATE, FOLL_PCI_P2PDMA, FOLL_PIN,
  FOLL_REMOTE, FOLL_SPLIT_PMD, FOLL_TOUCH, FOLL_TRIED, FOLL_UNLOCKABLE, FOLL_WRITE, INTERNAL_GUP_FLAGS,
} from "./foll-flags.js";
import type { PageArray } from "./gup.js";
import { validateGupFlags } from "./validate.js";

function setup() {
  const inst = testKernel();
  const k = inst.kernel;
  const p = k.spawn("p");
  const a = doMmap(k, p, { length: 4 * PAGE_SIZE, prot: VM_READ | VM_WRITE, shared: false, anonymous: true });
  touchRange(k, p, a, 4 * PAGE_SIZE, true);
  const events: KernelEvent<"gup">[] = [];
  k.events.on("gup", (e) => events.push(e));
  return { inst, k, gup: inst.gup, p, a, events };
}

type Wrapper = "get_user_pages" | "get_user_pages_remote" | "get_user_pages_fast" | "get_user_pages_fast_only" | "pin_user_pages" | "pin_user_pages_remote" | "pin_user_pages_fast";

/** Call a wrapper by its kernel name. */
function call(s: ReturnType<typeof setup>, w: Wrapper, flags: number, pages: PageArray | undefined, locked?: number): number {
  const { gup, p, a } = s;
  const pg = pages as PageArray;
  switch (w) {
    case "get_user_pages": return gup.getUserPages(p, a, 2, flags, pages);
    case "get_user_pages_remote": return gup.getUserPagesRemote(p, a, 2, flags, pages, { locked });
    case "get_user_pages_fast": return gup.getUserPagesFast(p, a, 2, flags, pg);
    case "get_user_pages_fast_only": return gup.getUserPagesFastOnly(p, a, 2, flags, pg);
    case "pin_user_pages": return gup.pinUserPages(p, a, 2, flags, pg);
    case "pin_user_pages_remote": return gup.pinUserPagesRemote(p, a, 2, flags, pg, { locked });
    case "pin_user_pages_fast": return gup.pinUserPagesFast(p, a, 2, flags, pg);
  }
}

const WRAPPERS: Wrapper[] = [
  "get_user_pages", "get_user_pages_remote", "get_user_pages_fast", "get_user_pages_fast_only",
  "pin_user_pages", "pin_user_pages_remote", "pin_user_pages_fast",
];
/** What a wrapper returns when is_valid_gup_args() says no. */
const REFUSED: Record<Wrapper, number> = {
  get_user_pages: -EINVAL, get_user_pages_remote: -EINVAL, get_user_pages_fast: -EINVAL, get_user_pages_fast_only: -EINVAL,
  pin_user_pages: 0, pin_user_pages_remote: 0, pin_user_pages_fast: -EINVAL,
};

const INTERNAL: [string, number][] = [
  ["FOLL_TOUCH", FOLL_TOUCH], ["FOLL_PIN", FOLL_PIN], ["FOLL_TRIED", FOLL_TRIED], ["FOLL_FAST_ONLY", FOLL_FAST_ONLY],
  ["FOLL_REMOTE", FOLL_REMOTE], ["FOLL_UNLOCKABLE", FOLL_UNLOCKABLE], ["FOLL_MADV_POPULATE", FOLL_MADV_POPULATE],
];

describe("validateGupFlags (is_valid_gup_args, v6.12)", () => {
  const policy = testKernel().kernel.policy;

  it.each(INTERNAL)("refuses the internal-only %s from a caller", (_name, flag) => {
    expect(INTERNAL_GUP_FLAGS & flag).toBe(flag);
    expect(validateGupFlags(policy, flag, FOLL_PIN, true)).toEqual({ ok: false, errno: EINVAL, reason: "internal-only FOLL flag passed by the caller" });
  });

  it.each([
    ["FOLL_GET | FOLL_PIN", FOLL_GET, FOLL_PIN, true, undefined, "FOLL_GET and FOLL_PIN together"],
    ["FOLL_LONGTERM without FOLL_PIN", FOLL_LONGTERM, FOLL_TOUCH, true, undefined, "FOLL_LONGTERM without FOLL_PIN"],
    ["FOLL_PIN without pages", 0, FOLL_PIN, false, undefined, "FOLL_GET/FOLL_PIN without a pages array"],
    ["FOLL_GET without pages", FOLL_GET, FOLL_TOUCH, false, undefined, "FOLL_GET/FOLL_PIN without a pages array"],
    ["FOLL_LONGTERM | FOLL_PCI_P2PDMA", FOLL_LONGTERM | FOLL_PCI_P2PDMA, FOLL_PIN, true, undefined, "FOLL_LONGTERM with FOLL_PCI_P2PDMA"],
    ["*locked != 1", 0, FOLL_PIN, true, 0, "*locked must be 1"],
  ] as const)("refuses %s", (_name, flags, toSet, hasPages, locked, reason) => {
    expect(validateGupFlags(policy, flags, toSet, hasPages, locked)).toEqual({ ok: false, errno: EINVAL, reason });
  });

  it("ORs in what the wrapper sets, and FOLL_UNLOCKABLE when a locked pointer is passed", () => {
    expect(validateGupFlags(policy, FOLL_WRITE, FOLL_PIN, true)).toEqual({ ok: true, flags: FOLL_WRITE | FOLL_PIN });
    expect(validateGupFlags(policy, FOLL_LONGTERM, FOLL_PIN | FOLL_TOUCH | FOLL_REMOTE, true, 1)).toEqual({
      ok: true, flags: FOLL_LONGTERM | FOLL_PIN | FOLL_TOUCH | FOLL_REMOTE | FOLL_UNLOCKABLE,
    });
    // get_user_pages*(): FOLL_GET may come from the caller or be added later when pages are given.
    expect(validateGupFlags(policy, FOLL_GET, FOLL_TOUCH, true)).toEqual({ ok: true, flags: FOLL_GET | FOLL_TOUCH });
    expect(validateGupFlags(policy, 0, FOLL_TOUCH, false)).toEqual({ ok: true, flags: FOLL_TOUCH });
  });
});

describe("every wrapper's answer to bad flags", () => {
  const cases: [string, number, boolean, number | undefined, Wrapper[]][] = [
    // [case, flags, pages given, *locked, wrappers that refuse]
    ...INTERNAL.map(([n, f]): [string, number, boolean, number | undefined, Wrapper[]] => [n, f, true, undefined, WRAPPERS]),
    ["FOLL_GET (clashes with FOLL_PIN in the pin wrappers)", FOLL_GET, true, undefined, ["pin_user_pages", "pin_user_pages_remote", "pin_user_pages_fast"]],
    ["FOLL_LONGTERM (only pinning may be long-term)", FOLL_LONGTERM, true, undefined, ["get_user_pages", "get_user_pages_remote", "get_user_pages_fast", "get_user_pages_fast_only"]],
    ["FOLL_LONGTERM | FOLL_PCI_P2PDMA", FOLL_LONGTERM | FOLL_PCI_P2PDMA, true, undefined, WRAPPERS],
    ["no pages array", 0, false, undefined, ["get_user_pages_fast", "get_user_pages_fast_only", "pin_user_pages", "pin_user_pages_remote", "pin_user_pages_fast"]],
    ["*locked == 0 (remote calls)", 0, true, 0, ["get_user_pages_remote", "pin_user_pages_remote"]],
    // gup_fast_fallback()'s WARN_ON_ONCE mask: flags the lockless walk cannot honour.
    ["FOLL_ANON (not for GUP-fast)", FOLL_ANON, true, undefined, ["get_user_pages_fast", "get_user_pages_fast_only", "pin_user_pages_fast"]],
    ["FOLL_SPLIT_PMD (not for GUP-fast)", FOLL_SPLIT_PMD, true, undefined, ["get_user_pages_fast", "get_user_pages_fast_only", "pin_user_pages_fast"]],
    ["FOLL_DUMP (not for GUP-fast)", FOLL_DUMP, true, undefined, ["get_user_pages_fast", "get_user_pages_fast_only", "pin_user_pages_fast"]],
  ];
  for (const [name, flags, hasPages, locked, refusing] of cases) {
    for (const w of WRAPPERS) {
      const refuses = refusing.includes(w);
      it(`${name}: ${w} -> ${refuses ? REFUSED[w] : "accepted"}`, () => {
        const s = setup();
        const pages: number[] = [];
        const r = call(s, w, flags, hasPages ? pages : undefined, locked ?? 1);
        const e = s.events.at(-1)!;
        expect(s.events).toHaveLength(1);
        if (refuses) {
          expect(r).toBe(REFUSED[w]);
          expect(e.errno).toBe("EINVAL");
          expect(e.got).toBe(0);
          // Nothing moved.
          expect(s.k.vmstat.nr_foll_pin_acquired + s.k.vmstat.nr_gup_get_acquired).toBe(0);
        } else {
          expect(r).toBe(2);
          expect(e.errno).toBeUndefined();
          if (hasPages) {
            if (w.startsWith("pin")) s.gup.unpinUserPages(pages, 2);
            else s.gup.putPages(pages, 2);
          }
        }
        expectConsistent(s.inst);
      });
    }
  }

  it("vaddr_pin_pages needs an owner (-EINVAL) and adds FOLL_LONGTERM itself", () => {
    const s = setup();
    expect(s.gup.vaddrPinPages(s.p, s.a, 2, 0, [], {})).toBe(-EINVAL);
    expect(s.gup.vaddrPinPagesRemote(s.p, s.a, 2, 0, [], {})).toBe(-EINVAL);
    const pages: number[] = [];
    expect(s.gup.vaddrPinPages(s.p, s.a, 2, FOLL_WRITE, pages, { file: "uverbs0" })).toBe(2);
    expect(s.events.at(-1)!.flags).toEqual(["FOLL_WRITE", "FOLL_LONGTERM", "FOLL_PIN"]);
    s.gup.vaddrUnpinPages(pages, 2, { file: "uverbs0" }, s.p.pid);
    expect(s.gup.vaddrPinPages(s.p, s.a, 2, FOLL_FORCE | FOLL_PIN, [], { pid: s.p.pid })).toBe(-EINVAL);
    expectConsistent(s.inst);
  });
});
