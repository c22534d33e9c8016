// A PMD-mapped THP (scenarios/thp-pin-vmstat.yaml) is drawn as one block, not 512 cells: no gaps
// between its cells, one stop for a click and the arrow keys, its label in the grid's accessible
// name; the frame details show its PMD facts as a scenario's check reads them.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { clickCell, frameFacts, linkFor, ready, root, shot, withPage } from "./harness.mjs";

const THP = readFileSync(join(root, "../../scenarios/thp-pin-vmstat.yaml"), "utf8");

test("a PMD-mapped THP is one block in the grid, with its PMD facts in the details", { timeout: 90_000 }, async () => {
  await withPage(async (page, base, errors) => {
    await page.goto(`${base}${linkFor(THP, { pos: 5 })}`);
    await ready(page, 5);
    const grid = page.locator('.column[data-policy="pin-bias"] .grid-canvas');
    assert.equal(await grid.getAttribute("data-blocks"), "512+512");
    assert.match(await grid.getAttribute("aria-label"), /one large folio drawn as a block: frames 512–1023: THP 2MiB, PMD-mapped ×1 \(anon, maybe DMA-pinned, held by device\/handle\)/);

    // The 1 px gap after a cell: inside the block it is filled, between 4 KiB cells it is not.
    const gapAlpha = (pfn) => grid.evaluate((c, pfn) => {
      const cell = Number(c.dataset.cell);
      const cols = Number(c.dataset.cols);
      const dpr = c.width / c.clientWidth;
      const x = (pfn % cols) * cell + cell - 1;
      const y = 18 + Math.floor(pfn / cols) * cell + Math.floor(cell / 2);
      return c.getContext("2d").getImageData(Math.floor((x + 0.5) * dpr), Math.floor((y + 0.5) * dpr), 1, 1).data[3];
    }, pfn);
    assert.equal(await gapAlpha(100), 0, "a free 4 KiB frame is a cell of its own");
    assert.equal(await gapAlpha(700), 255, "a frame of the THP is part of one block");

    await clickCell(page, "pin-bias", 700);
    assert.match(await page.locator(".frame-title").textContent(), /^Frame 512\b/, "a click on the block selects the folio's head");
    const facts = await frameFacts(page);
    assert.deepEqual(facts.pmd_mapped, ["yes", "yes"]);
    assert.deepEqual(facts.entire_mapcount, ["1", "1"]);
    assert.deepEqual(facts.folio_order, ["9", "9"]);
    assert.deepEqual(facts.huge_zero_page, ["no", "no"]);
    assert.deepEqual(facts.refcount, ["513", "513"]);
    assert.match(facts["mapped at"][0], /^p1 @ 0x[0-9a-f]+ \(PMD\)$/);
    await shot(page, "08-thp-block");

    await grid.focus();
    await page.keyboard.press("ArrowLeft");
    assert.match(await page.locator(".frame-title").textContent(), /^Frame 511\b/);
    await page.keyboard.press("ArrowRight");
    assert.match(await page.locator(".frame-title").textContent(), /^Frame 512\b/, "the arrow keys stop once on the block");
    assert.deepEqual(errors, []);
  });
});
