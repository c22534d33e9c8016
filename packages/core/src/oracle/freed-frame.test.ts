import { describe, expect, it } from "vitest";
import type { HolderRef } from "../events/event-types.js";
import { FOLL_WRITE } from "../gup/foll-flags.js";
import { doMadvise } from "../mm/madvise.js";
import { userRead, userWrite } from "../mm/user-access.js";
import { PG_ALLOC } from "../memory/page-flags.js";
import { PAGE_SIZE } from "../sim/units.js";
import { expectConsistent } from "../testing/index.js";
import { kernelWithProcess, mapAt, pteAt } from "../testing/mm.js";

const BASE = 0x10_0000;
const dev: HolderRef = { kind: "device", name: "dev" };
const enc = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array | number) => new TextDecoder().decode(b as Uint8Array);

/**
 * p with two anonymous pages at BASE, "old" written in page 0, and that frame held by `dev`:
 *
 * ```
 * BASE  |0|1|
 *        o .     o: the frame dev holds ("old"), .: not present
 * ```
 */
function held(how: "mirror" | "pin") {
  const t = kernelWithProcess();
  const { inst, k, p, gup } = t;
  mapAt(k, p, BASE, 2);
  expect(userWrite(k, p, BASE, enc("old"))).toBe(0);
  const pfn = pteAt(p, BASE).pfn;
  if (how === "mirror") inst.dma.mapPages(dev, [{ pfn, pid: p.pid, vaddr: BASE, write: true }]);
  else expect(gup.pinUserPages(p, BASE, 1, FOLL_WRITE, [0], { holder: dev })).toBe(1);
  return { ...t, pfn };
}

describe("dma_to_freed through a device mirror entry (a mirror holds no reference)", () => {
  it("is nothing while the process still maps the frame where the mirror took it", () => {
    const { inst, pfn } = held("mirror");
    inst.dma.write(dev, [pfn], 0, enc("dev"));
    expect(inst.oracle.hazards).toEqual([]);
  });

  it("is a DMA to a freed frame once MADV_DONTNEED freed the page the mirror still maps", () => {
    const { inst, k, p, pfn } = held("mirror");
    expect(doMadvise(k, p, BASE, PAGE_SIZE, "dontneed")).toBe(1);
    expect(k.frames.flags[pfn] & PG_ALLOC).toBe(0);
    inst.dma.write(dev, [pfn], 0, enc("dev"));
    expect(inst.oracle.hazards.map((h) => [h.class, h.outcome, h.pfn, h.detail])).toEqual([
      ["dma_to_freed", "undetected", pfn, `DMA write to frame ${pfn}, which was freed`],
    ]);
  });

  it("is a DMA into reused memory once the allocator handed the frame to another page", () => {
    const { inst, k, p, pfn } = held("mirror");
    expect(doMadvise(k, p, BASE, PAGE_SIZE, "dontneed")).toBe(1);
    expect(userWrite(k, p, BASE + PAGE_SIZE, enc("new"))).toBe(0);
    expect(pteAt(p, BASE + PAGE_SIZE).pfn).toBe(pfn);
    inst.dma.write(dev, [pfn], 0, enc("dev"));
    expect(text(userRead(k, p, BASE + PAGE_SIZE, 3))).toBe("dev");
    expect(inst.oracle.hazards.map((h) => [h.class, h.outcome, h.pfn])).toEqual([["dma_to_freed", "undetected", pfn]]);
    expect(inst.oracle.hazards[0].detail).toMatch(new RegExp(`^DMA write through a stale mirror entry to frame ${pfn}: process ${p.pid} no longer maps it at 0x100000 and the device holds no reference`));
    expectConsistent(inst);
  });

  it("is nothing once the process maps the same frame at that address again (the entry is coherent by chance)", () => {
    const { inst, k, p, pfn } = held("mirror");
    expect(doMadvise(k, p, BASE, PAGE_SIZE, "dontneed")).toBe(1);
    expect(userWrite(k, p, BASE, enc("new"))).toBe(0);
    expect(pteAt(p, BASE).pfn).toBe(pfn);
    inst.dma.write(dev, [pfn], 0, enc("dev"));
    expect(inst.oracle.hazards).toEqual([]);
  });

  it("does not apply to a pin: the pinned frame outlives MADV_DONTNEED and stays the holder's", () => {
    const { inst, k, p, pfn } = held("pin");
    expect(doMadvise(k, p, BASE, PAGE_SIZE, "dontneed")).toBe(1);
    expect(userWrite(k, p, BASE + PAGE_SIZE, enc("new"))).toBe(0);
    expect(pteAt(p, BASE + PAGE_SIZE).pfn).not.toBe(pfn);
    inst.dma.write(dev, [pfn], 0, enc("dev"));
    expect(inst.oracle.hazards).toEqual([]);
    expect(text(userRead(k, p, BASE + PAGE_SIZE, 3))).toBe("new");
  });
});
