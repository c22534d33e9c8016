/* global document, Buffer */
// Shared e2e setup: the built app served by vite preview on a free loopback port, and chromium
// (the system's, or the build npm installed; see @pinlab/workspace-tools/browser) driven by
// playwright-core. Always use withPage() so the server and the browser are closed even when a
// step fails (an open server would keep `node --test` waiting forever).
import { mkdirSync } from "node:fs";
import { deflateRawSync } from "node:zlib";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { launchChromium } from "@pinlab/workspace-tools/browser";
import { preview } from "vite";

export const root = join(dirname(fileURLToPath(import.meta.url)), "..");
export const outDir = join(root, "test-output");

/** Run `fn(page, baseUrl, errors)` against the built app; `errors` collects page errors and console errors. */
export async function withPage(fn, { width = 1440, height = 900 } = {}) {
  mkdirSync(outDir, { recursive: true });
  let server;
  let browser;
  try {
    server = await preview({ root, configFile: false, logLevel: "warn", base: "./", preview: { port: 0, host: "127.0.0.1", strictPort: false }, build: { outDir: "dist" } });
    const base = server.resolvedUrls.local[0];
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width, height } });
    // No network but the preview server.
    await context.route("**/*", (route) => (route.request().url().startsWith(base) ? route.continue() : route.abort()));
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    const errors = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
    await fn(page, base, errors);
  } finally {
    await browser?.close();
    await server?.close();
  }
}

/** Wait until the app has recorded the scenario and rendered position `pos` (if given). */
export async function ready(page, pos) {
  // The first load after the preview server starts may compile and record several columns on a
  // busy machine: give it longer than the page's default timeout (a wait, not a timed assertion).
  await page.waitForFunction(() => document.querySelector("#app")?.dataset.ready === "true", undefined, { timeout: 60_000 });
  if (pos !== undefined) await page.waitForFunction((p) => document.querySelector("#app")?.dataset.pos === String(p), pos);
}

/** Save a screenshot into test-output/. */
export async function shot(page, name) {
  await page.screenshot({ path: join(outDir, `${name}.png`) });
}

/** A link fragment for `text` built with node's zlib (an independent encoder of the playground's link format). */
export function linkFor(text, { pos = 0, policies = ["legacy-get", "pin-bias"], pfn } = {}) {
  const s = deflateRawSync(Buffer.from(text, "utf8")).toString("base64url");
  return `#v=1&s=${s}&p=${pos}&pol=${policies.join(",")}${pfn !== undefined ? `&f=${pfn}` : ""}`;
}

/** Click the grid cell of frame `pfn` in the column of `policy`. */
export async function clickCell(page, policy, pfn) {
  const grid = page.locator(`.column[data-policy="${policy}"] .grid-canvas`);
  const { cell, cols } = await grid.evaluate((c) => ({ cell: Number(c.dataset.cell), cols: Number(c.dataset.cols) }));
  // Frames of ZONE_NORMAL from pfn 0, under an 18 px zone band (grid-layout.ts).
  await grid.click({ position: { x: (pfn % cols) * cell + cell / 2, y: 18 + Math.floor(pfn / cols) * cell + cell / 2 } });
}

/** The text of the frame details table: field -> [value per column]. */
export async function frameFacts(page) {
  return page.locator("table.facts tbody tr").evaluateAll((rows) => Object.fromEntries(rows.map((r) => [r.querySelector("th").textContent, [...r.querySelectorAll("td")].map((td) => td.textContent)])));
}
