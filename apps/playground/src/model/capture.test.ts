import { PTE_HUGE, PTRS_PER_PTE } from "@pinlab/core";
import { describe, expect, it } from "vitest";
import { pteKeyParts } from "./capture.js";
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
