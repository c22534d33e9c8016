import { PTE_HUGE, PTE_SWAP, PTRS_PER_PTE } from "@pinlab/core";
import { describe, expect, it } from "vitest";
import { isPresentRow, pteKeyParts } from "./capture.js";
import { mappingsOf } from "./folio.js";
import { regionFor } from "./display-region.js";
import { F } from "./frame-state.js";
import { frameRow, machineAt } from "./machine-at.js";
import { record } from "./recording.js";
import { libraryScenario, registry } from "./test-support.js";

describe("capturing a PMD-mapped THP", () => {
  const rec = record(libraryScenario("thp-pin-vmstat"), "pin-bias", registry);
  const m = machineAt(rec, 3, regionFor([rec]));

  it("records the PMD leaf page by page: each page maps the matching frame of the folio, PTE_HUGE set", () => {
    const rows = [...m.ptes].map(([key, r]) => ({ vpn: pteKeyParts(key).vpn, pfn: r[0], huge: (r[1] & PTE_HUGE) !== 0 }));
    expect(rows).toHaveLength(PTRS_PER_PTE);
    const first = Math.min(...rows.map((r) => r.vpn));
    expect(first % PTRS_PER_PTE).toBe(0);
    for (const r of rows) expect(r).toEqual({ vpn: r.vpn, pfn: 512 + (r.vpn - first), huge: true });
  });

  it("records the folio's entire mapcount on its head", () => {
    expect(frameRow(m, 512)?.[F.entireMapcount]).toBe(1);
    expect(frameRow(m, 513)?.[F.entireMapcount]).toBe(0);
    expect(frameRow(m, 600)?.[F.mapcount]).toBe(0);
    expect(frameRow(m, 600)?.[F.order]).toBe(9);
  });
});

describe("capturing a swapped-out page", () => {
  // swap-pageout-pinned: position 6 is after `madvise pageout` (step 6) of [buf, buf+8KiB) where the first
  // page is long-term pinned (kept under pin-bias) and the second only FOLL_GET-referenced (swapped).
  const rec = record(libraryScenario("swap-pageout-pinned"), "pin-bias", registry);
  const m = machineAt(rec, 6, regionFor([rec]));
  const rows = [...m.ptes].map(([key, r]) => ({ vpn: pteKeyParts(key).vpn, row: r }));

  it("records the swap entry as a row without PTE_PRESENT, beside the pinned page's present PTE", () => {
    expect(rows).toHaveLength(2);
    const [pinned, swapped] = rows.sort((a, b) => a.vpn - b.vpn);
    expect(isPresentRow(pinned.row)).toBe(true);
    expect(isPresentRow(swapped.row)).toBe(false);
    expect(swapped.row[1] & PTE_SWAP).toBe(PTE_SWAP);
  });

  it("does not count a swap entry as a mapping of the frame its offset happens to number", () => {
    const swapped = rows.find((r) => !isPresentRow(r.row))!;
    expect(mappingsOf(m, swapped.row[0]).every((x) => pteKeyParts(x.key).vpn !== swapped.vpn)).toBe(true);
    const pinned = rows.find((r) => isPresentRow(r.row))!;
    expect(mappingsOf(m, pinned.row[0]).map((x) => pteKeyParts(x.key).vpn)).toEqual([pinned.vpn]);
  });

  it("records nothing swapped before the pageout", () => {
    const before = machineAt(rec, 5, regionFor([rec]));
    expect([...before.ptes.values()].every((r) => isPresentRow(r))).toBe(true);
  });
});
