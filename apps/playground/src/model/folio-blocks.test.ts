import { describe, expect, it } from "vitest";
import { regionFor } from "./display-region.js";
import { blockAt, blockLabel, describeBlock, folioBlocks } from "./folio-blocks.js";
import { machineAt } from "./machine-at.js";
import { record } from "./recording.js";
import { largeFolioScenario, libraryScenario, registry } from "./test-support.js";

const summary = (m: ReturnType<typeof machineAt>) => folioBlocks(m).list.map((b) => [b.head, b.count, b.kind, b.label]);

describe("large folios drawn as one block", () => {
  const rec = record(libraryScenario("thp-pin-vmstat"), "pin-bias", registry);
  const region = regionFor([rec]);

  it("makes the PMD-mapped THP of thp-pin-vmstat one block of its 512 frames", () => {
    expect(folioBlocks(machineAt(rec, 2, region)).list).toEqual([]);
    const m = machineAt(rec, 3, region);
    expect(summary(m)).toEqual([[512, 512, "thp", "THP 2MiB, PMD-mapped ×1"]]);
    const blocks = folioBlocks(m);
    expect(blocks.at.filter((b) => b === 0)).toHaveLength(512);
    expect(blockAt(blocks, region.indexOf(512))?.head).toBe(512);
    expect(blockAt(blocks, region.indexOf(1023))?.head).toBe(512);
    expect(blockAt(blocks, region.indexOf(511))).toBeUndefined();
    expect(folioBlocks(m)).toBe(blocks);
  });

  it("carries the folio's markers: pinned by the policy and held by the handle while pinned", () => {
    const pinned = folioBlocks(machineAt(rec, 5, region)).list[0];
    expect(pinned.cls).toEqual({ kind: "anon", pinned: true, held: true, dirty: false, writeback: false });
    expect(describeBlock(pinned)).toBe("frames 512–1023: THP 2MiB, PMD-mapped ×1 (anon, maybe DMA-pinned, held by device/handle)");
    const released = folioBlocks(machineAt(rec, 7, region)).list[0];
    expect([released.cls.pinned, released.cls.held]).toEqual([false, false]);
    const legacy = record(libraryScenario("thp-pin-vmstat"), "legacy-get", registry);
    expect(folioBlocks(machineAt(legacy, 5, regionFor([legacy]))).list[0].cls).toMatchObject({ pinned: false, held: true });
  });

  it("names the huge zero folio, a PMD split in one process, and hugetlb mapped in two", () => {
    const r = record(largeFolioScenario(), "pin-bias", registry);
    expect(r.steps.every((s) => s.error === undefined)).toBe(true);
    const reg = regionFor([r]);
    expect(summary(machineAt(r, 4, reg))).toEqual([[512, 512, "thp", "THP 2MiB, PMD-mapped ×1"], [1024, 512, "huge-zero", "huge zero page 2MiB, PMD-mapped ×1"]]);
    expect(folioBlocks(machineAt(r, 4, reg)).list[1].cls.kind).toBe("zero");
    expect(summary(machineAt(r, 5, reg)).map((b) => b[3])).toEqual(["THP 2MiB, PMD-mapped ×2", "huge zero page 2MiB, PMD-mapped ×2"]);
    expect(summary(machineAt(r, 6, reg))[0][3]).toBe("THP 2MiB, PMD-mapped ×1, 511 PTEs");
    expect(summary(machineAt(r, 10, reg))[2]).toEqual([1536, 512, "hugetlb", "hugetlb 2MiB, PMD-mapped ×2"]);
  });

  it("writes how a block is mapped", () => {
    expect(blockLabel("thp", 9, 0, 512)).toBe("THP 2MiB, 512 PTEs");
    expect(blockLabel("thp", 9, 0, 1)).toBe("THP 2MiB, 1 PTE");
    expect(blockLabel("file-thp", 9, 0, 0)).toBe("file THP 2MiB, not mapped");
    expect(blockLabel("hugetlb", 9, 3, 0)).toBe("hugetlb 2MiB, PMD-mapped ×3");
  });
});
