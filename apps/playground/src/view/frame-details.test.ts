import { describe, expect, it } from "vitest";
import { regionFor } from "../model/display-region.js";
import { machineAt } from "../model/machine-at.js";
import { record } from "../model/recording.js";
import { largeFolioScenario, libraryScenario, registry } from "../model/test-support.js";
import { frameFacts } from "./frame-details.js";

const PMD_FIELDS = ["refcount", "mapcount", "entire_mapcount", "pmd_mapped", "folio_order", "huge_zero_page"] as const;
const pick = (facts: Record<string, string>, keys: readonly string[] = PMD_FIELDS) => Object.fromEntries(keys.map((k) => [k, facts[k]]));

describe("frame details of large folios", () => {
  it("shows a PMD-mapped THP's page as a check step reads it (thp-pin-vmstat)", () => {
    const rec = record(libraryScenario("thp-pin-vmstat"), "pin-bias", registry);
    const region = regionFor([rec]);
    const facts = frameFacts(machineAt(rec, 3, region), 512 + 3);
    expect(pick(facts)).toEqual({ refcount: "1", mapcount: "1", entire_mapcount: "1", pmd_mapped: "yes", folio_order: "9", huge_zero_page: "no" });
    expect(facts.folio).toBe("THP 2MiB, PMD-mapped ×1 · frames 512–1023, page 3");
    const at = /^p1 @ (0x[0-9a-f]+) \(PMD\)$/.exec(facts["mapped at"]);
    expect(at).not.toBeNull();
    expect(Number(at![1]) % (2 * 1024 * 1024), "page 3 of a 2 MiB-aligned PMD").toBe(3 * 4096);
    expect(facts).not.toHaveProperty("order");
    const pinned = frameFacts(machineAt(rec, 5, region), 512 + 3);
    expect(pick(pinned, ["refcount", "pincount", "maybe_dma_pinned"])).toEqual({ refcount: "513", pincount: "512", maybe_dma_pinned: "yes" });
  });

  it("shows the huge zero folio, a split PMD, hugetlb and a 4 KiB page", () => {
    const rec = record(largeFolioScenario(), "pin-bias", registry);
    const region = regionFor([rec]);
    const m = machineAt(rec, rec.positions - 1, region);
    const zero = frameFacts(m, 1024 + 3);
    expect(pick(zero)).toEqual({ refcount: "1", mapcount: "0", entire_mapcount: "0", pmd_mapped: "yes", folio_order: "9", huge_zero_page: "yes" });
    expect(zero.state).toBe("zero page");
    const split = frameFacts(m, 512 + 3);
    expect(pick(split, ["mapcount", "entire_mapcount", "pmd_mapped"])).toEqual({ mapcount: "2", entire_mapcount: "1", pmd_mapped: "1 of 2 mappings" });
    expect(split["mapped at"]).toMatch(/^p1 @ 0x[0-9a-f]+ \(PMD\), c1 @ 0x[0-9a-f]+$/);
    expect(pick(frameFacts(m, 1536 + 3), ["refcount", "mapcount", "entire_mapcount", "pmd_mapped"])).toEqual({ refcount: "514", mapcount: "2", entire_mapcount: "2", pmd_mapped: "yes" });
    const small = [...m.ptes.values()].find((r) => r[0] < 512 || r[0] >= 2048);
    expect(small).toBeDefined();
    const facts = frameFacts(m, small![0]);
    expect(pick(facts, ["entire_mapcount", "pmd_mapped", "folio_order", "huge_zero_page", "folio"])).toEqual({ entire_mapcount: "0", pmd_mapped: "no", folio_order: "0", huge_zero_page: "no", folio: "—" });
  });
});
