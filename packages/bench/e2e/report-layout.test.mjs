// The HTML report on a 1366 x 768 screen, in chromium (the system's, or the build npm installed;
// see @pinlab/workspace-tools/browser): the page does not overflow sideways (the raw table
// scrolls inside its own box), a click on a header sorts the raw table, the filter box hides the
// rows that do not match, and a cell opens on its details. Screenshots go to test-output/.
/* global document */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { launchChromium } from "@pinlab/workspace-tools/browser";
import { runBench, writeReport } from "../dist/index.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "test-output");
const FAKE_PLUGINS = join(root, "src", "test-support", "fake-plugins.mjs");

/** The raw table's rows (cell ids) in page order, visible ones only when `visible`. */
const rowIds = (page, visible = false) => page.$$eval("table.raw tbody tr[data-cell]", (rows, v) => rows.filter((r) => !v || !r.hidden).map((r) => r.dataset.cell), visible);

test("the report fits 1366 px; its raw table sorts, filters and opens a cell", { timeout: 180_000 }, async () => {
  let browser;
  try {
    const results = await runBench({
      plugins: [FAKE_PLUGINS], size: "tiny", workers: 2, seed: 3,
      workloads: ["dio-writeback-race", "shared-library-false-positive", "longterm-cma", "gup-throughput"],
    });
    const dir = join(out, "e2e-report-layout");
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(out, { recursive: true });
    const files = writeReport(results, dir);
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    const errors = [];
    const requests = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    page.on("request", (r) => requests.push(r.url()));
    await page.goto(pathToFileURL(files.html).href, { waitUntil: "load", timeout: 30_000 });

    // No sideways scrolling of the page: the wide raw table scrolls inside its own box.
    const widths = await page.evaluate(() => {
      const box = document.querySelector("#raw .scroll");
      return { page: document.scrollingElement.scrollWidth, box: box.clientWidth };
    });
    assert.ok(widths.page <= 1366, `the page is ${widths.page} px wide`);
    assert.ok(widths.box <= 1366);

    // Sort by the hazards column (numbers by value): ascending, then descending on a second click.
    const all = await rowIds(page);
    assert.equal(all.length, results.cells.length);
    const hazards = (id) => Object.values(results.cells.find((c) => c.id === id).metrics.hazards).reduce((a, h) => a + h.undetected + h.detected + h.prevented, 0);
    const header = page.locator("table.raw thead th", { hasText: "hazards (P/D/U)" });
    await header.click();
    assert.equal(await header.getAttribute("aria-sort"), "ascending");
    const up = (await rowIds(page)).map(hazards);
    assert.deepEqual(up, [...up].sort((a, b) => a - b));
    await header.click();
    const down = (await rowIds(page)).map(hazards);
    assert.deepEqual(down, [...up].sort((a, b) => b - a));
    assert.ok(down[0] > down.at(-1), "the sample has cells with and without hazards");

    // The filter keeps only the rows holding every word typed.
    await page.fill("#raw-filter", "gup-throughput fake-bias");
    assert.deepEqual(await rowIds(page, true), ["gup-throughput/anon/fake-bias"]);
    assert.match(await page.textContent("#raw-count"), /^1 of \d+ cells$/);
    await page.fill("#raw-filter", "");
    assert.equal((await rowIds(page, true)).length, results.cells.length);

    // A cell opens on its details (the command that runs it again) and closes.
    const id = "dio-writeback-race/block-layer/fake-get";
    const detail = page.locator(`tr.detail[data-detail-for="${id}"]`);
    assert.equal(await detail.isVisible(), false);
    await page.locator(`tr[data-cell="${id}"] button.open`).click();
    assert.equal(await detail.isVisible(), true);
    assert.match(await detail.textContent(), /pinlab bench --size tiny --seed 3 --workloads dio-writeback-race --policies fake-get --devices none/);
    // Opened, the page still fits.
    assert.ok(await page.evaluate(() => document.scrollingElement.scrollWidth) <= 1366);
    await page.screenshot({ path: join(out, "report-1366.png"), fullPage: false });
    await page.locator(`tr[data-cell="${id}"] button.open`).click();
    assert.equal(await detail.isVisible(), false);

    assert.deepEqual(errors, []);
    assert.deepEqual(requests.filter((u) => !u.startsWith("file:")), []);
  } finally {
    await browser?.close();
  }
});
