/* global document, Buffer */
// Issue 19, item 9, end to end on the built app: a plugin module picked from disk runs against the
// playground's own core (the fixed-buffer-ring example and its scenario pass; a bad plugin says
// why in one line); addresses in the events tab are hex; the counter charts tick whole steps; the
// timeline tab shows a track group per policy on the virtual clock with its hazards by outcome.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { linkFor, ready, root, shot, withPage } from "./harness.mjs";

const example = join(root, "../../docs/examples/fixed-buffer-ring");

test("playground: plugins, hex addresses, whole-step ticks and the timeline", { timeout: 170_000 }, async (t) => {
  await withPage(async (page, base, errors) => {
    await page.goto(base + linkFor(readFileSync(join(example, "fixed-buffer-ring.yaml"), "utf8")));
    const status = page.locator(".plugin-status");

    await t.test("a plugin that cannot load says why in one line", async () => {
      const bad = async (name, text) => {
        await page.setInputFiles("#plugin-file", { name, mimeType: "text/javascript", buffer: Buffer.from(text) });
        await page.waitForFunction(() => document.querySelector(".plugin-status")?.dataset.state === "error");
        const line = await status.textContent();
        assert.ok(!line.includes("\n"), "one line");
        await page.evaluate(() => { document.querySelector(".plugin-status").dataset.state = "none"; });
        return line;
      };
      assert.match(await bad("pad.mjs", 'import pad from "left-pad";\nexport default pad;'), /^plugin pad\.mjs: imports "left-pad", which the playground cannot provide/);
      assert.match(await bad("broken.mjs", "export const = ;"), /^plugin broken\.mjs: SyntaxError/);
      assert.match(await bad("empty.mjs", "export const answer = 42;"), /^plugin empty\.mjs exports nothing pinlab can use/);
      assert.equal(await page.locator(".plugin-list li").count(), 0);
    });

    await t.test("the fixed-buffer-ring example loads and its scenario passes", async () => {
      await page.setInputFiles("#plugin-file", join(example, "fixed-buffer-ring.mjs"));
      await page.waitForFunction(() => document.querySelector(".plugin-status")?.dataset.state === "loaded");
      assert.match(await status.textContent(), /fixed-buffer-ring\.mjs: device fixed-buffer-ring/);
      await ready(page);
      await page.locator(".stage").click({ position: { x: 5, y: 5 } });
      await page.keyboard.press("End");
      await page.waitForFunction(() => Number(document.querySelector("#app")?.dataset.pos) > 5);
      for (const policy of ["legacy-get", "pin-bias"]) {
        assert.match(await page.locator(`.column[data-policy="${policy}"] .col-status`).textContent(), /expectations hold/);
      }
      await shot(page, "20-plugin-loaded");
    });

    await t.test("a policy plugin becomes a policy to compare", async () => {
      await page.setInputFiles("#plugin-file", join(example, "../no-longterm/no-longterm.mjs"));
      await page.waitForFunction(() => document.querySelectorAll(".plugin-list li").length === 2);
      assert.equal(await status.getAttribute("data-state"), "loaded");
      assert.match(await status.textContent(), /no-longterm\.mjs: policy no-longterm/);
      assert.equal(await page.locator("#pol-no-longterm").isChecked(), false);
      assert.deepEqual(await page.locator(".plugin-list li").evaluateAll((li) => li.map((x) => x.dataset.plugin)), ["fixed-buffer-ring.mjs", "no-longterm.mjs"]);
    });

    await t.test("the events tab shows addresses in hex", async () => {
      await page.click("#tab-events");
      await page.selectOption("#event-kind", "mmap");
      const fields = await page.locator("ol.events li .fields").allTextContents();
      assert.ok(fields.length >= 2);
      for (const f of fields) {
        assert.match(f, /start=0x[0-9a-f]+ end=0x[0-9a-f]+/);
        assert.match(f, /pid=\d+ /);
      }
      await page.selectOption("#event-kind", "");
    });

    await t.test("the counter charts tick whole steps only", async () => {
      await page.click("#tab-counters");
      const ticks = await page.locator(".charts figure").evaluateAll((fs) => fs.map((f) => f.dataset.xTicks ?? ""));
      assert.ok(ticks.length >= 5);
      for (const line of ticks) {
        const labels = line.split(" ").filter((x) => x !== "");
        assert.ok(labels.length >= 2, `ticks: ${line}`);
        for (const l of labels) assert.match(l, /^\d+$/);
      }
    });

    await t.test("the timeline shows each policy's run on the virtual clock, hazards by outcome", async () => {
      await page.selectOption("#scenario-picker", "dio-writeback-race");
      await page.waitForFunction(() => document.querySelector(".scenario-title h1")?.textContent === "dio-writeback-race");
      await ready(page);
      await page.click("#tab-timeline");
      assert.equal(await page.locator(".timeline").getAttribute("data-clock"), "virtual");
      assert.deepEqual(await page.locator(".tl-group").evaluateAll((gs) => gs.map((g) => g.dataset.run)), ["legacy-get", "pin-bias"]);
      const marks = (run) => page.locator(`.tl-group[data-run="${run}"] .tl-hazard`).evaluateAll((ms) => ms.map((m) => `${m.dataset.class}:${m.dataset.outcome}@${m.dataset.step}`));
      // The same hazards as the hazards tab lists (drawn from the event stream there, from the oracle's list here).
      assert.deepEqual(await marks("legacy-get"), ["dma_after_clean:undetected@8"]);
      assert.deepEqual(await marks("pin-bias"), ["dma_after_clean:detected@8"]);
      // The steps are slices (those at one instant merged into one), covering every step once, in order.
      const slices = await page.locator('.tl-group[data-run="legacy-get"] .tl-step').evaluateAll((gs) => gs.map((g) => [Number(g.dataset.step), Number(g.dataset.last)]));
      assert.deepEqual(slices.flatMap(([a, b]) => Array.from({ length: b - a + 1 }, (_, i) => a + i)), Array.from({ length: 12 }, (_, i) => i));
      assert.ok(slices.length >= 3);
      assert.ok(await page.locator('.tl-group[data-run="legacy-get"] .tl-event').count() > slices.length, "the events are instants");
      assert.match((await page.locator(".tl-tick").allTextContents()).join(" "), /µs|ms/);
      await shot(page, "21-timeline");
    });

    await t.test("zooming narrows the ruler; clicking a hazard shows it and goes to its step", async () => {
      const span = async () => page.locator(".tl-tick").allTextContents();
      const before = await span();
      for (let i = 0; i < 4; i++) await page.click('button[data-zoom="+"]');
      assert.notDeepEqual(await span(), before);
      await page.click('button[data-zoom="fit"]');
      assert.deepEqual(await span(), before);
      await page.locator('.tl-group[data-run="legacy-get"] .tl-hazard').click();
      assert.match(await page.locator(".tl-details").textContent(), /dma_after_clean undetected on disk0/);
      await ready(page, 9);
    });

    assert.deepEqual(errors, []);
  });
});
