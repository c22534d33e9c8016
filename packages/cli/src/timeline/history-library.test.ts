import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../main.js";
import { captureIo, REPO_ROOT } from "../test-support/capture-io.js";
import type { Timeline } from "./timeline-types.js";

// Every library scenario with a `history` (found by scanning scenarios/, so new ones are picked up).
const FILES = readdirSync(join(REPO_ROOT, "scenarios"))
  .filter((f) => /\.(ya?ml|json)$/.test(f))
  .filter((f) => /^\s*"?history"?\s*:/m.test(readFileSync(join(REPO_ROOT, "scenarios", f), "utf8")))
  .map((f) => `scenarios/${f}`);

describe("the history of the library's scenarios", () => {
  it("is found in the library (swap-cow-vmsplice has one)", () => {
    expect(FILES).toContain("scenarios/swap-cow-vmsplice.yaml");
  });

  it.each(FILES)("%s: pinlab timeline passes every history entry under every policy it names", async (file) => {
    const io = captureIo(REPO_ROOT);
    const code = await main(["timeline", file, "--format", "json"], io);
    expect(io.stderr).toBe("");
    const t = JSON.parse(io.stdout) as Timeline;
    expect(t.historyChecked).toBe(true);
    const failed = t.policies.flatMap((p) => p.history.filter((h) => !h.pass).map((h) => `${p.policy} history[${h.index}] ${h.hazard}: ${h.problems.join("; ")}`));
    expect(failed).toEqual([]);
    // Every entry is checked under at least one policy the scenario runs.
    const checked = new Set(t.policies.flatMap((p) => p.history.map((h) => h.index)));
    expect(checked.size).toBe(t.historyEntries);
    expect(code).toBe(0);
  }, 120_000);
});
