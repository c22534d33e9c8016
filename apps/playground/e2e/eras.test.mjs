/* global document, location */
// Kernel eras (issue 17) end to end on the built app: the Kernel picker moves every column to one
// era (swap-cow-vmsplice under legacy-get leaks at v5.3, an undetected cow_leak, and not at
// v6.12); compare kernels mode runs one policy at each checked era in columns, stepping together,
// with the differing steps marked; the URL carries the era choices; a scenario's machine.kernel
// is what "policy default" runs, and the picker overrides it.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { linkFor, ready, root, shot, withPage } from "./harness.mjs";

const VMSPLICE = readFileSync(join(root, "../../scenarios/swap-cow-vmsplice.yaml"), "utf8");
// The steps are the list items after `steps:` (the top-level `history:` list has items too).
const STEPS = VMSPLICE.slice(VMSPLICE.indexOf("\nsteps:")).split("\n").filter((l) => /^ {2}- /.test(l)).length;

/** Wait until the columns run on `kernels` (in order) and the app shows position `pos`. */
async function columnsOn(page, kernels, pos) {
  await page.waitForFunction((want) => [...document.querySelectorAll(".column")].map((c) => c.dataset.kernel).join() === want, kernels.join());
  await ready(page, pos);
}

/** The hazard counts chip text of the column of `run` (its data-run). */
function status(page, run) {
  return page.locator(`.column[data-run="${run}"] .col-status`).textContent();
}

test("playground: kernel eras, the Kernel picker and compare kernels mode", { timeout: 150_000 }, async (t) => {
  await withPage(async (page, base, errors) => {
    await page.goto(`${base}${linkFor(VMSPLICE, { pos: STEPS })}`);
    await ready(page, STEPS);

    await t.test("policy default: each policy on its own era, shown in the column header", async () => {
      assert.equal(await page.locator("#kernel-picker").inputValue(), "");
      assert.equal(await page.locator("#mode-policies").isChecked(), true);
      assert.deepEqual(await page.locator(".column .col-name").allTextContents(), ["legacy-get @ v5.3", "pin-bias @ v6.12"]);
      assert.match(await page.locator('.column[data-policy="legacy-get"] .col-era').getAttribute("title"), /^v5\.3: Linux 5\.3 \(2019-09\), the policy's default era\./);
      assert.match(await status(page, "legacy-get"), /4 undetected/);
      assert.match(await status(page, "pin-bias"), /0 undetected/);
      assert.match(await status(page, "legacy-get"), /expectations hold/);
    });

    await t.test("the Kernel picker moves every column: legacy-get at v6.12 leaks nothing", async () => {
      await page.selectOption("#kernel-picker", "v6.12");
      await columnsOn(page, ["v6.12", "v6.12"], STEPS);
      assert.deepEqual(await page.locator(".column .col-name").allTextContents(), ["legacy-get @ v6.12", "pin-bias @ v6.12"]);
      assert.match(await status(page, "legacy-get@v6.12"), /0 undetected/);
      assert.match(await status(page, "legacy-get@v6.12"), /4 prevented/);
      assert.match(await status(page, "legacy-get@v6.12"), /expectations hold/);
      await page.waitForFunction(() => /&k=v6\.12/.test(location.hash));
    });

    await t.test("at v5.3 the vmsplice leak is an undetected cow_leak in the hazard list", async () => {
      await page.selectOption("#kernel-picker", "v5.3");
      await columnsOn(page, ["v5.3", "v5.3"], STEPS);
      assert.match(await status(page, "legacy-get@v5.3"), /4 undetected/);
      assert.match(await status(page, "pin-bias@v5.3"), /4 undetected/, "before v5.7 every pin is a plain reference");
      await page.click("#tab-hazards");
      const leaks = page.locator('.hazard[data-run="legacy-get@v5.3"][data-class="cow_leak"][data-outcome="undetected"]');
      assert.equal(await leaks.count(), 4);
      assert.match(await leaks.first().textContent(), /legacy-get @ v5\.3/);
      assert.match(await leaks.first().locator(".hz-class").getAttribute("title"), /CVE-2020-29374/);
      assert.match(await page.locator(".hz-classes").textContent(), /cow_leak/);
      await shot(page, "eras-01-v5.3-cow-leak");
    });

    let shared;
    await t.test("compare kernels: legacy-get at v5.3, v5.18 and v6.12, a column each, stepping together", async () => {
      await page.check("#mode-kernels");
      assert.equal(await page.locator("#kernels-policy").inputValue(), "legacy-get");
      assert.equal(await page.locator("#kernel-picker").isVisible(), false);
      assert.equal(await page.locator("#pol-pin-bias").isVisible(), false);
      await columnsOn(page, ["v5.3", "v5.18", "v6.12"], STEPS);
      assert.deepEqual(await page.locator(".column h2").allTextContents(), ["legacy-get", "legacy-get", "legacy-get"]);
      assert.deepEqual(await page.locator("table.steps thead th").allTextContents(), ["#", "step", "legacy-get @ v5.3", "legacy-get @ v5.18", "legacy-get @ v6.12"]);
      assert.match(await status(page, "legacy-get@v5.3"), /4 undetected/);
      assert.match(await status(page, "legacy-get@v5.18"), /0 undetected.*4 prevented/s);
      assert.match(await status(page, "legacy-get@v6.12"), /0 undetected.*4 prevented/s);
      const differs = await page.locator("table.steps tr.differs").evaluateAll((rows) => rows.map((r) => Number(r.dataset.step)));
      assert.ok(differs.length > 0, "the eras disagree on some steps");
      // Step to the first step where they differ: every column shows it, marked.
      await page.locator(`table.steps tr[data-step="${differs[0]}"]`).click();
      await ready(page, differs[0] + 1);
      assert.equal(await page.locator(".column .col-last.differs").count(), 3);
      await page.waitForFunction(() => /&m=kernels&/.test(location.hash) && /&kp=legacy-get&ker=v5\.3%2Cv5\.18%2Cv6\.12$/.test(location.hash));
      await shot(page, "eras-02-compare-kernels");
    });

    await t.test("a fourth era adds a column; the link keeps the mode and the eras", async () => {
      await page.check('[id="ker-v5.9-rc4"]');
      await columnsOn(page, ["v5.3", "v5.9-rc4", "v5.18", "v6.12"], undefined);
      await page.waitForFunction(() => /ker=v5\.3%2Cv5\.9-rc4%2Cv5\.18%2Cv6\.12/.test(location.hash));
      shared = page.url();
      const other = await page.context().newPage();
      await other.goto(shared);
      await columnsOn(other, ["v5.3", "v5.9-rc4", "v5.18", "v6.12"], undefined);
      assert.equal(await other.locator("#mode-kernels").isChecked(), true);
      assert.equal(await other.locator('[id="ker-v5.9-rc4"]').isChecked(), true);
      assert.equal(await other.locator("#kernels-policy").inputValue(), "legacy-get");
      await other.close();
    });

    await t.test("a scenario's machine.kernel is what policy default runs; the picker overrides it", async () => {
      const text = "name: at-v5.9\nmachine: { memory: 16MiB, kernel: v5.9 }\nprocesses: [p1]\nsteps:\n  - { op: mmap, proc: p1, as: a, length: 4KiB, prot: [read, write], flags: [private, anonymous, populate] }\n";
      await page.goto(`${base}${linkFor(text)}`);
      await columnsOn(page, ["v5.9", "v5.9"], 0);
      assert.equal(await page.locator("#mode-policies").isChecked(), true, "a link without era choices opens in policies mode");
      assert.match(await page.locator('.column[data-policy="legacy-get"] .col-era').getAttribute("title"), /the scenario's machine\.kernel/);
      await page.selectOption("#kernel-picker", "v4.15");
      await columnsOn(page, ["v4.15", "v4.15"], 0);
    });

    assert.deepEqual(errors, []);
  });
});
