/**
 * Releases (`unpin_user_page*`, `put_page`, `gup_put_folio`, mm/gup.c v6.12): one event per
 * call, vmstat in 4 KiB units, dirtying, and the model's misuse detection (a release with the
 * wrong call family is refused before any count moves).
 *
 *   p's address space:  [ buf: private anonymous, 8 pages, written ]  [ data: MAP_SHARED ext4, 2 pages ]
 *                       [ thp: 4 MiB area with MADV_HUGEPAGE, one PMD-mapped THP ]
 */
import { describe, expect, it } from "vitest";
import { EINVAL, ModelError } from "../errno.js";
import { FIXED_LAYOUTS } from "../events/event-layouts.js";
import type { KernelEvent } from "../events/event-types.js";
import { PG_DIRTY } from "../memory/page-flags.js";
import { doMmap } from "../mm/mmap.js";
import { touchRange } from "../mm/user-access.js";
import { VM_HUGEPAGE, VM_READ, VM_WRITE } from "../mm/vm-flags.js";
import { HPAGE_PMD_NR, HPAGE_PMD_SIZE, PAGE_SIZE } from "../sim/units.js";
import { expectConsistent, testKernel } from "../testing/index.js";
import { FOLL_GET, FOLL_PIN, FOLL_WRITE } from "./foll-flags.js";

function setup() {
  const inst = testKernel();
  const k = inst.kernel;
  const p = k.spawn("p");
  const a = doMmap(k, p, { length: 8 * PAGE_SIZE, prot: VM_READ | VM_WRITE, shared: false, anonymous: true });
  touchRange(k, p, a, 8 * PAGE_SIZE, true);
  const events: KernelEvent[] = [];
  k.events.onAny((e) => events.push(e));
  return { inst, k, gup: inst.gup, p, a, events };
}

/** Refcounts, outstanding references and vmstat: what a refused release must leave alone. */
function snapshot(s: ReturnType<typeof setup>, pfns: number[]) {
  return JSON.stringify({
    refcounts: pfns.map((pfn) => s.k.frames.refcount[pfn]), outstanding: pfns.map((pfn) => s.gup.outstanding(pfn)), vmstat: s.k.vmstat.snapshot(),
  });
}

describe("misuse detection", () => {
  it("refuses unpin of a FOLL_GET reference: ModelError release-mismatch, a misuse event, counts untouched", () => {
    const s = setup();
    const pages: number[] = [];
    expect(s.gup.getUserPagesFast(s.p, s.a, 2, 0, pages)).toBe(2);
    const before = snapshot(s, pages);
    let err: unknown;
    try {
      s.gup.unpinUserPages(pages, 2);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ModelError);
    expect((err as ModelError).code).toBe("release-mismatch");
    expect((err as ModelError).message).toMatch(/FOLL_GET references \(use put_page\)/);
    expect(s.events.at(-1)).toMatchObject({ type: "misuse", call: "unpin_user_pages", pfn: pages[0] });
    expect(snapshot(s, pages)).toBe(before);
    s.gup.putPages(pages, 2);
    expectConsistent(s.inst);
  });

  it("refuses put_page of a pin, a double unpin, and an unknown frame", () => {
    const s = setup();
    const pages: number[] = [];
    expect(s.gup.pinUserPagesFast(s.p, s.a, 1, 0, pages)).toBe(1);
    const before = snapshot(s, pages);
    expect(() => s.gup.putPage(pages[0])).toThrow(/FOLL_PIN pins \(use unpin_user_page\)/);
    expect(snapshot(s, pages)).toBe(before);
    s.gup.unpinUserPage(pages[0]);
    expect(() => s.gup.unpinUserPage(pages[0])).toThrow(/1 release\(s\) but only 0 pin\(s\) outstanding/);
    expect(() => s.gup.unpinUserPage(1e9)).toThrow(ModelError);
    expect(s.events.filter((e) => e.type === "misuse")).toHaveLength(3);
    expectConsistent(s.inst);
  });

  it("checks the whole batch first: one bad page leaves every page of the call untouched", () => {
    const s = setup();
    const pins: number[] = [];
    expect(s.gup.pinUserPages(s.p, s.a, 3, 0, pins)).toBe(3);
    const mixed = [pins[0], pins[1], pins[2], pins[2]];
    const before = snapshot(s, pins);
    expect(() => s.gup.unpinUserPages(mixed, 4)).toThrow(ModelError);
    expect(snapshot(s, pins)).toBe(before);
    s.gup.unpinUserPages(pins, 3);
    expectConsistent(s.inst);
  });
});

describe("events and vmstat", () => {
  it("emits one gup event per call and one release event per call, not one per page", () => {
    const s = setup();
    const pages: number[] = [];
    expect(s.gup.pinUserPages(s.p, s.a, 8, FOLL_WRITE, pages)).toBe(8);
    s.gup.unpinUserPages(pages, 8);
    const gupRelease = s.events.filter((e) => e.type === "gup" || e.type === "release");
    expect(gupRelease.map((e) => e.type)).toEqual(["gup", "release"]);
    expect(gupRelease[0]).toMatchObject({ call: "pin_user_pages", nrPages: 8, got: 8, mode: "pin", flags: ["FOLL_WRITE", "FOLL_PIN"] });
    expect(gupRelease[1]).toMatchObject({ call: "unpin_user_pages", pages: 8, mode: "pin", dirty: false });
    expectConsistent(s.inst);
  });

  it("counts a THP pin per 4 KiB page and balances per-subpage unpins", () => {
    const s = setup();
    const area = doMmap(s.k, s.p, { length: 2 * HPAGE_PMD_SIZE, prot: VM_READ | VM_WRITE, shared: false, anonymous: true });
    s.p.mm!.findVma(area)!.flags |= VM_HUGEPAGE;
    const base = Math.ceil(area / HPAGE_PMD_SIZE) * HPAGE_PMD_SIZE;
    touchRange(s.k, s.p, base, PAGE_SIZE, true);
    const pages: number[] = [];
    expect(s.gup.pinUserPagesFast(s.p, base, HPAGE_PMD_NR, 0, pages)).toBe(HPAGE_PMD_NR);
    expect(s.k.vmstat.nr_foll_pin_acquired).toBe(HPAGE_PMD_NR);
    const head = s.k.frames.head(pages[0]);
    expect(s.gup.outstanding(head)).toEqual({ get: 0, pin: HPAGE_PMD_NR });
    for (const pfn of pages) s.gup.unpinUserPage(pfn);
    expect(s.k.vmstat.nr_foll_pin_released).toBe(HPAGE_PMD_NR);
    expect(s.events.filter((e) => e.type === "release")).toHaveLength(HPAGE_PMD_NR);
    const gets: number[] = [];
    expect(s.gup.getUserPages(s.p, base, 10, 0, gets)).toBe(10);
    s.gup.putPages(gets, 10);
    expect(s.k.vmstat.nr_gup_get_acquired).toBe(10);
    expect(s.k.vmstat.nr_gup_get_released).toBe(10);
    expectConsistent(s.inst);
  });

  it("unpin_user_pages_dirty_lock and unpin_user_page_range_dirty_lock dirty the folios first", () => {
    const s = setup();
    const file = s.k.createFile("data", "ext4", 2 * PAGE_SIZE);
    const d = doMmap(s.k, s.p, { length: 2 * PAGE_SIZE, prot: VM_READ, shared: true, anonymous: false, file });
    touchRange(s.k, s.p, d, 2 * PAGE_SIZE, false);
    const pages: number[] = [];
    expect(s.gup.pinUserPages(s.p, d, 2, 0, pages)).toBe(2);
    expect(s.k.frames.flags[pages[0]] & PG_DIRTY).toBe(0);
    s.gup.unpinUserPagesDirtyLock(pages.slice(0, 1), 1, false);
    expect(s.k.frames.flags[pages[0]] & PG_DIRTY).toBe(0);
    s.gup.unpinUserPagesDirtyLock(pages.slice(1), 1, true);
    expect(s.k.frames.flags[pages[1]] & PG_DIRTY).toBe(PG_DIRTY);
    expect(s.events.filter((e) => e.type === "release").at(-1)).toMatchObject({ call: "unpin_user_pages_dirty_lock", dirty: true });
    const again: number[] = [];
    expect(s.gup.pinUserPages(s.p, d, 1, 0, again)).toBe(1);
    s.gup.unpinUserPageRangeDirtyLock(again[0], 1, true);
    expect(s.k.frames.flags[again[0]] & PG_DIRTY).toBe(PG_DIRTY);
    expectConsistent(s.inst);
  });
});

describe("observers", () => {
  it("hear every grab and release, anonymous ones too (the bench's cost ledger counts them)", () => {
    const s = setup();
    const heard: string[] = [];
    s.k.observers.push({
      onGrab: (holder, pfns, info) => heard.push(`grab ${holder?.name ?? "-"} ${pfns.length} ${info.mode}`),
      onRelease: (holder, pfns) => heard.push(`release ${holder?.name ?? "-"} ${pfns.length}`),
    });
    const pages = new Uint32Array(8);
    expect(s.gup.pinUserPages(s.p, s.a, 8, FOLL_WRITE, pages)).toBe(8);
    s.gup.unpinUserPages(pages, 8);
    const holder = { kind: "device" as const, name: "mr0" };
    expect(s.gup.pinUserPages(s.p, s.a, 2, FOLL_WRITE, pages, { holder })).toBe(2);
    s.gup.unpinUserPages(pages, 2, { holder });
    expect(heard).toEqual(["grab - 8 pin", "release - 8", "grab mr0 2 pin", "release mr0 2"]);
  });
});

describe("hashed event fields", () => {
  it("every field of every gup and release event GUP emits (granted, refused, with and without a holder) is in the hashed layout, but a refusal's reason", () => {
    const s = setup();
    s.k.events.keepLog();
    const pages = new Uint32Array(8);
    const holder = { kind: "handle" as const, name: "h \"quoted\"" };
    expect(s.gup.pinUserPagesFast(s.p, s.a, 8, FOLL_WRITE, pages, { holder })).toBe(8);
    s.gup.unpinUserPagesDirtyLock(pages, 8, true, { holder });
    expect(s.gup.getUserPages(s.p, s.a, 4, FOLL_WRITE, pages)).toBe(4);
    s.gup.putPages(pages, 4);
    expect(s.gup.pinUserPages(s.p, s.a + 64 * PAGE_SIZE, 1, FOLL_WRITE, pages, { holder })).toBeLessThan(0);
    expect(s.gup.getUserPages(s.p, s.a, 1, FOLL_WRITE | FOLL_PIN, pages, { holder })).toBe(-EINVAL);
    const checked = s.k.events.events.filter((e) => e.type === "gup" || e.type === "release");
    expect(checked.map((e) => e.type)).toEqual(["gup", "release", "gup", "release", "gup", "gup"]);
    for (const e of checked) {
      const { type, seq: _seq, t: _t, ...payload } = e;
      // A refusal's reason is for traces only: the hash leaves it out.
      const { reason: _reason, ...hashed } = payload as { reason?: string };
      expect(FIXED_LAYOUTS[type]).toEqual(expect.arrayContaining(Object.keys(hashed)));
    }
  });

  it("a refused call says why in its event, with the mode its flags ask for", () => {
    const s = setup();
    s.k.events.keepLog();
    const pages = new Uint32Array(1);
    expect(s.gup.getUserPages(s.p, s.a, 1, FOLL_PIN, pages)).toBe(-EINVAL);
    expect(s.gup.pinUserPages(s.p, s.a, 1, FOLL_GET, pages)).toBe(0);
    expect(s.gup.vaddrPinPages(s.p, s.a, 1, 0, pages, {})).toBe(-EINVAL);
    const gup = s.k.events.events.filter((e) => e.type === "gup");
    expect(gup.map((e) => [e.call, e.mode, e.errno, e.reason])).toEqual([
      ["get_user_pages", "pin", "EINVAL", "internal-only FOLL flag passed by the caller"],
      ["pin_user_pages", "pin", "EINVAL", "FOLL_GET and FOLL_PIN together"],
      ["vaddr_pin_pages", "pin", "EINVAL", "vaddr_pin without an owner (a file or an mm)"],
    ]);
  });
});
