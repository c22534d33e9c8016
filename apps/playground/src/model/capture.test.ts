import { PTE_HUGE, PTE_PRESENT, PTE_SWAP, PTRS_PER_PTE } from "@pinlab/core";
import { describe, expect, it } from "vitest";
import { mapsFrame, pteKeyParts } from "./capture.js";
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
    expect(mapsFrame(pinned.row)).toBe(true);
    expect(mapsFrame(swapped.row)).toBe(false);
    expect(swapped.row[1] & PTE_SWAP).toBe(PTE_SWAP);
  });

  it("does not count a swap entry as a mapping of the frame its offset happens to number", () => {
    const swapped = rows.find((r) => !mapsFrame(r.row))!;
    expect(mappingsOf(m, swapped.row[0]).every((x) => pteKeyParts(x.key).vpn !== swapped.vpn)).toBe(true);
    const pinned = rows.find((r) => mapsFrame(r.row))!;
    expect(mappingsOf(m, pinned.row[0]).map((x) => pteKeyParts(x.key).vpn)).toEqual([pinned.vpn]);
  });

  it("records nothing swapped before the pageout", () => {
    const before = machineAt(rec, 5, regionFor([rec]));
    expect([...before.ptes.values()].every((r) => mapsFrame(r))).toBe(true);
  });
});

describe("capturing device-private entries", () => {
  // hmm-mremap-device-private: position 4 is after migrate_to_dev of the 16 written pages.
  const rec = record(libraryScenario("hmm-mremap-device-private"), "pin-bias", registry);
  const m = machineAt(rec, 4, regionFor([rec]));
  const rows = [...m.ptes].map(([key, r]) => ({ vpn: pteKeyParts(key).vpn, row: r }));

  it("records each as a row naming its device page, not present, which reaches a frame", () => {
    expect(rows).toHaveLength(16);
    for (const { row } of rows) {
      expect(row[1] & PTE_PRESENT).toBe(0);
      expect(mapsFrame(row)).toBe(true);
      expect(m.region.zones.find((z) => row[0] >= z.start && row[0] < z.start + z.total)?.name).toBe("device");
    }
  });

  it("lists the device-private entry among the mappings of its device frame", () => {
    const { vpn, row } = rows[0];
    expect(mappingsOf(m, row[0]).map((x) => pteKeyParts(x.key).vpn)).toEqual([vpn]);
  });
});
