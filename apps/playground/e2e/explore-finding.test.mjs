/* global document */
// (issue 21) A counterexample from `pinlab explore`, opened and stepped through on the built app.
// The findings are generated here by the CLI (nx builds it before this target: package.json's
// e2e dependsOn): explore-dio-writeback under every policy, with --playground pointing at the
// preview server. "Open file…" loads the legacy-get finding: the banner says what it shows, the
// steps table and the stepper name each step's thread, the block's order is a strip; stepping
// forward reaches the undetected dma_after_clean at the read's completion (dio 2/2), marked in the
// hazard list. A finding under a policy not compared gets its column. The link the CLI printed
// for the pin-bias finding opens it, and the banner's button goes to its (detected) hazard.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import process from "node:process";
import { promisify } from "node:util";
import { ready, root, shot, withPage } from "./harness.mjs";

const WORKSPACE = join(root, "..", "..");
const CLI = join(WORKSPACE, "packages", "cli", "bin", "pinlab.mjs");

/** Run `pinlab explore` on the DIO example into `out`; the JSON report. */
async function explore(out, base) {
  const { stdout } = await promisify(execFile)(process.execPath,
    [CLI, "explore", "scenarios/explore-dio-writeback.yaml", "--policy", "all", "--out", out, "--format", "json", "--playground", base], { cwd: WORKSPACE });
  return JSON.parse(stdout);
}

/** Wait until the banner shows a finding of `cls` `outcome` under `policy` and where it shows is known. */
async function bannerFor(page, cls, outcome, policy) {
  await page.waitForFunction(([c, o, p]) => {
    const b = document.querySelector(".finding-banner");
    return b !== null && !b.hidden && b.dataset.class === c && b.dataset.outcome === o && b.dataset.policy === p && document.querySelector("#finding-go") !== null;
  }, [cls, outcome, policy], { timeout: 60_000 });
  await ready(page);
}

const pos = (page) => page.evaluate(() => Number(document.querySelector("#app")?.dataset.pos));

test("playground: an explore finding opened from a file and from a link, stepped to its hazard", { timeout: 170_000 }, async (t) => {
  const out = mkdtempSync(join(tmpdir(), "pinlab-e2e-findings-"));
  try {
    await withPage(async (page, base, errors) => {
      const report = await explore(out, base);
      const find = (cls, outcome, policy) => report.findings.find((f) => f.class === cls && f.outcome === outcome && f.policy === policy);
      const legacy = find("dma_after_clean", "undetected", "legacy-get");
      const bias = find("dma_after_clean", "detected", "pin-bias");
      const vaddr = find("dma_after_clean", "detected", "vaddr-pin");
      assert.ok(legacy && bias && vaddr, "explore finds the race under legacy-get and detects it under pin-bias and vaddr-pin");
      await page.goto(base);
      await ready(page, 0);

      let hazardStep;
      await t.test("Open file… loads the finding; the banner says what it shows", async () => {
        await page.locator("#scenario-file").setInputFiles(join(WORKSPACE, legacy.scenario));
        await bannerFor(page, "dma_after_clean", "undetected", "legacy-get");
        assert.equal(await page.locator("#scenario-picker").inputValue(), "");
        assert.equal(await page.locator(".scenario-title h1").textContent(), "explore-dio-writeback");
        const banner = await page.locator(".finding-banner").textContent();
        assert.match(banner, /dma_after_clean undetected under legacy-get @ v5\.3/);
        assert.match(banner, new RegExp(`order \\(${legacy.preemptions} preemptions?\\): \\[${legacy.trace[0].join(", ")}\\]`));
        assert.match(banner, /explored from scenarios\/explore-dio-writeback\.yaml/);
        hazardStep = Number(await page.locator("#finding-go").getAttribute("data-step"));
        assert.match(banner, new RegExp(`shows at step ${hazardStep} in column legacy-get @ v5\\.3`));
        assert.equal(await pos(page), 0);
      });

      await t.test("the steps table and the order strip name each step's thread, in the finding's order", async () => {
        const rows = await page.locator("table.steps tbody tr[data-thread]").evaluateAll((trs) => trs.map((r) => [r.dataset.thread, r.querySelector("td.thread").textContent]));
        const trace = legacy.trace[0];
        assert.deepEqual(rows.map((r) => r[0]), trace);
        assert.ok(rows.every(([name, label]) => new RegExp(`^${name} [12]/2$`).test(label)));
        const strip = page.locator(".order-strip .os-step");
        assert.deepEqual(await strip.evaluateAll((b) => b.map((x) => x.dataset.thread)), trace);
        assert.equal(await page.locator(".order-strip .os-current").count(), 0, "nothing of the block has run at position 0");
        assert.equal(await page.locator(`table.steps tr[data-step="${hazardStep}"]`).getAttribute("data-finding"), "");
      });

      await t.test("stepping forward reaches the hazard at the read's completion (dio 2/2)", async () => {
        await page.click("#tab-hazards");
        const entry = page.locator('.hazard.finding[data-policy="legacy-get"][data-class="dma_after_clean"][data-outcome="undetected"]');
        const step = page.locator('button[aria-label="Step forward"]');
        for (let p = 1; p <= hazardStep + 1; p++) {
          await step.click();
          await ready(page, p);
          if (p === hazardStep) assert.match(await entry.getAttribute("class"), /\blater\b/, "before its step the hazard is still to come");
        }
        assert.equal(await pos(page), hazardStep + 1);
        assert.equal(await page.locator(".stepper .last-thread").textContent(), "[dio 2/2] ");
        assert.equal(await page.locator(".order-strip .os-current").getAttribute("data-step"), String(hazardStep));
        assert.equal(await page.locator(".order-strip .os-current").textContent(), "dio 2/2");
        assert.match(await page.locator('.column[data-policy="legacy-get"] .col-last').textContent(), /dma_after_clean undetected/);
        assert.equal(await entry.count(), 1);
        assert.doesNotMatch(await entry.getAttribute("class"), /\blater\b/);
        assert.match(await entry.textContent(), new RegExp(`the finding.*step ${hazardStep}`, "s"));
        await shot(page, "finding-01-legacy-at-hazard");
      });

      await t.test("a finding under a policy not compared gets its column", async () => {
        assert.deepEqual(await page.locator(".column h2").allTextContents(), ["legacy-get", "pin-bias"]);
        await page.locator("#scenario-file").setInputFiles(join(WORKSPACE, vaddr.scenario));
        await bannerFor(page, "dma_after_clean", "detected", "vaddr-pin");
        assert.deepEqual(await page.locator(".column h2").allTextContents(), ["legacy-get", "pin-bias", "vaddr-pin"]);
        assert.equal(await pos(page), 0);
      });

      await t.test("the link the CLI printed opens the pin-bias finding; the banner's button goes to its hazard", async () => {
        assert.ok(bias.playground.startsWith(`${base}#v=1&s=`));
        await page.goto(bias.playground);
        await bannerFor(page, "dma_after_clean", "detected", "pin-bias");
        assert.deepEqual(await page.locator(".column h2").allTextContents(), ["pin-bias"]);
        const step = Number(await page.locator("#finding-go").getAttribute("data-step"));
        assert.equal(step, hazardStep, "the same order puts the DMA at the same step");
        await page.click("#finding-go");
        await ready(page, step + 1);
        assert.equal(await page.locator("#tab-hazards").getAttribute("aria-selected"), "true");
        const entry = page.locator('.hazard.finding[data-policy="pin-bias"][data-class="dma_after_clean"][data-outcome="detected"]');
        assert.equal(await entry.count(), 1);
        assert.doesNotMatch(await entry.getAttribute("class"), /\blater\b/);
        await shot(page, "finding-02-pin-bias-from-link");
      });

      await t.test("a scenario that is no finding shows no banner and no thread column", async () => {
        await page.selectOption("#scenario-picker", "rdma-mr-fork");
        await page.waitForFunction(() => document.querySelector(".scenario-title h1")?.textContent === "rdma-mr-fork");
        await ready(page, 0);
        assert.equal(await page.locator(".finding-banner").isHidden(), true);
        assert.equal(await page.locator("table.steps td.thread").count(), 0);
        assert.equal(await page.locator(".order-strips").isHidden(), true);
      });

      assert.deepEqual(errors, []);
    });
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
