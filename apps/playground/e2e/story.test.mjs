/* global document, location */
// The "done" story, end to end on the built app: rdma-mr-fork under legacy-get and
// pin-bias side by side, played to the end; the hazard in one column, its prevention in the
// other; grid cells, hazard entries and frame details; side by side with a third policy; a
// shared link restores the state; a malformed scenario shows an inline error at its line.
import assert from "node:assert/strict";
import { test } from "node:test";
import { clickCell, frameFacts, linkFor, ready, shot, withPage } from "./harness.mjs";

test("playground: rdma-mr-fork side by side, links, sharing and errors", { timeout: 150_000 }, async (t) => {
  await withPage(async (page, base, errors) => {
    await page.goto(base);
    await ready(page, 0);

    await t.test("opens rdma-mr-fork under legacy-get and pin-bias", async () => {
      assert.equal(await page.locator("#scenario-picker").inputValue(), "rdma-mr-fork");
      assert.equal(await page.locator(".scenario-title h1").textContent(), "rdma-mr-fork");
      assert.deepEqual(await page.locator(".column h2").allTextContents(), ["legacy-get", "pin-bias"]);
    });

    await t.test("plays to the end: divergence undetected in one column, prevented in the other", async () => {
      await page.selectOption("#play-speed", { label: "fast" });
      await page.locator(".stage").click({ position: { x: 5, y: 5 } });
      await page.keyboard.press("Space");
      await page.waitForFunction(() => document.querySelector("#app")?.dataset.pos === "10", null, { timeout: 20_000 });
      // Playing stops on the step that reaches the end, so a jump made right after is not played on from.
      assert.equal(await page.locator("button.play").getAttribute("aria-pressed"), "false");
      const legacy = page.locator('.column[data-policy="legacy-get"] .col-status');
      const bias = page.locator('.column[data-policy="pin-bias"] .col-status');
      assert.match(await legacy.textContent(), /1 undetected/);
      assert.match(await legacy.textContent(), /0 prevented/);
      assert.match(await bias.textContent(), /0 undetected/);
      assert.match(await bias.textContent(), /4 prevented/);
      assert.match(await legacy.textContent(), /expectations hold/);
      assert.match(await bias.textContent(), /expectations hold/);
      assert.deepEqual(await page.locator("table.steps tr.differs").evaluateAll((rows) => rows.map((r) => r.dataset.step)), ["3", "5"]);
      await shot(page, "01-played-to-end");
    });

    await t.test("the hazard entry links to its step and its frame", async () => {
      await page.click("#tab-hazards");
      const entry = page.locator('.hazard[data-policy="legacy-get"][data-outcome="undetected"]');
      assert.equal(await entry.count(), 1);
      assert.match(await entry.textContent(), /cow_divergence/);
      assert.match(await entry.textContent(), /only here/);
      assert.match(await entry.textContent(), /step 5/);
      await entry.locator("[data-step-link]").click();
      await ready(page, 6);
      assert.match(await page.locator('.column[data-policy="legacy-get"] .col-last').textContent(), /cow_divergence undetected/);
      assert.match(await page.locator('.column[data-policy="pin-bias"] .col-last').textContent(), /differs/);
      const pfn = Number(await entry.locator("[data-frame-link]").getAttribute("data-frame-link"));
      await entry.locator("[data-frame-link]").click();
      assert.equal(await page.locator("#tab-frame").getAttribute("aria-selected"), "true");
      assert.match(await page.locator(".frame-title").textContent(), new RegExp(`Frame ${pfn}\\b`));
      const facts = await frameFacts(page);
      assert.deepEqual(facts.maybe_dma_pinned, ["no", "yes"]);
      assert.deepEqual(facts["held by (oracle)"], ["hca0", "hca0"]);
      assert.match(facts["mapped at"][0], /^c1 @/, "under legacy-get the HCA's frame now belongs to the child");
      assert.match(facts["mapped at"][1], /^p1 @/, "under pin-bias the parent kept the pinned frame");
      await shot(page, "02-hazard-frame-details");
    });

    await t.test("the event log filters by kind and links to steps and frames", async () => {
      await page.click("#tab-events");
      await page.selectOption("#event-kind", "hazard");
      const entries = page.locator("ol.events li");
      assert.equal(await entries.count(), 1);
      assert.deepEqual(await entries.evaluateAll((li) => [...new Set(li.map((x) => x.dataset.kind))]), ["hazard"]);
      await page.selectOption("#event-kind", "");
      assert.ok(await entries.count() > 10);
      await page.selectOption("#event-kind", "fork");
      await entries.first().locator("[data-step-link]").click();
      await ready(page, 4);
      await page.selectOption("#event-kind", "hazard");
      assert.equal(await entries.count(), 0, "the hazard happens at step 5, after position 4");
      await page.selectOption("#event-kind", "");
    });

    await t.test("the counters chart each compared policy", async () => {
      await page.click("#tab-counters");
      assert.ok(await page.locator(".charts figure").count() >= 5);
      assert.match(await page.locator('.charts figure[data-chart="nr_foll_pin_acquired"]').textContent(), /legacy-get.*pin-bias/s);
      await shot(page, "03-counters");
    });

    await t.test("a grid cell shows its state; the column's diff marks follow", async () => {
      await page.locator(".stage").click({ position: { x: 5, y: 5 } });
      await page.keyboard.press("Home");
      await ready(page, 0);
      for (let i = 0; i < 4; i++) await page.keyboard.press("ArrowRight");
      await ready(page, 4);
      await clickCell(page, "pin-bias", 1);
      const facts = await frameFacts(page);
      assert.match(facts.state[1], /^anon, maybe DMA-pinned, held by device\/handle/);
      assert.match(facts.state[0], /^anon, held by device\/handle/);
      assert.deepEqual(facts.refcount, ["3", "1025"]);
      assert.match(await page.locator(".frame-details tr.differs").first().textContent(), /state/);
    });

    let shared;
    await t.test("side by side with a third policy", async () => {
      await page.check("#pol-exact-pincount");
      await page.waitForFunction(() => document.querySelectorAll(".column").length === 3);
      await ready(page, 4);
      assert.deepEqual(await page.locator(".column h2").allTextContents(), ["legacy-get", "pin-bias", "exact-pincount"]);
      assert.match(await page.locator('.column[data-policy="exact-pincount"] .col-status').textContent(), /4 prevented/);
      await page.waitForFunction(() => /pol=legacy-get%2Cpin-bias%2Cexact-pincount/.test(location.hash) && /&p=4/.test(location.hash));
      shared = page.url();
      await shot(page, "04-three-columns");
    });

    await t.test("a shared link restores scenario, step, policies and frame", async () => {
      const other = await page.context().newPage();
      await other.goto(shared);
      await ready(other, 4);
      assert.deepEqual(await other.locator(".column h2").allTextContents(), ["legacy-get", "pin-bias", "exact-pincount"]);
      assert.equal(await other.locator("#scenario-picker").inputValue(), "rdma-mr-fork");
      assert.match(await other.locator(".frame-title").textContent(), /Frame 1\b/);
      assert.match(await other.locator(".where").textContent(), /^4 \/ 10/);
      await other.close();
    });

    await t.test("a malformed scenario shows an inline error at the right line", async () => {
      const bad = "name: broken\nmachine: { memory: 64MiB }\nprocesses: [p1]\nsteps:\n  - { op: mmap, proc: p1, length: 4KiB, prot: [read], flags: [private, anonymous] }\n  - { op: frobnicate, proc: p1 }\n";
      await page.goto(`${base}${linkFor(bad)}`);
      await page.waitForSelector(".problem-list li");
      assert.match(await page.locator(".problem-list li").first().textContent(), /^line 6:11 step 1, field "op": unknown op "frobnicate"/);
      const marked = await page.locator(".cm-lintRange-error").first().evaluate((el) => ({ text: el.textContent, line: el.closest(".cm-line")?.textContent }));
      assert.equal(marked.text, "frobnicate");
      assert.match(marked.line, /op: frobnicate/);
      // Typing a fix clears it (validation follows the editor).
      await page.locator(".cm-content").click();
      await page.locator(".problem-list button").first().click();
      await page.keyboard.press("End");
      for (let i = 0; i < "frobnicate, proc: p1 }".length; i++) await page.keyboard.press("Backspace");
      await page.keyboard.type("exit, proc: p1 }");
      await page.waitForSelector(".problems .ok");
      assert.match(await page.locator(".problems .ok").textContent(), /valid: 2 steps/);
      await page.keyboard.type("\nsteps: [");
      await page.waitForSelector(".problem-list li");
      await shot(page, "05-inline-error");
    });

    assert.deepEqual(errors, []);
  });
});
