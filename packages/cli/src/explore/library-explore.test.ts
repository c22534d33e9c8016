/**
 * (issue 21) Every library scenario with an `explore` block: `pinlab explore` finds what it says
 * some order finds and proves absent what it says no order does (every entry holds, none is left
 * unchecked), and each finding it writes replays with `pinlab run`: the hazard is reported, or the
 * expectation fails, at the step the finding names.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { main } from "../main.js";
import { captureIo, REPO_ROOT } from "../test-support/capture-io.js";

const dir = mkdtempSync(join(tmpdir(), "pinlab-library-explore-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const library = join(REPO_ROOT, "scenarios");
const withExplore = readdirSync(library).filter((f) => f.endsWith(".yaml") && (parse(readFileSync(join(library, f), "utf8")) as { explore?: unknown }).explore !== undefined);

interface Report {
  explored: number; exhaustive: boolean;
  findings: { class: string; outcome: string; policy: string; kernel: string; scenario: string }[];
  checks: { entry: number; status: string; why: string; run?: string }[];
}
interface RunJson { results: { policy: string; kernel: string; hazards: { class: string; outcome: string }[]; steps: { index: number; expectations: { key: string; pass: boolean }[] }[] }[] }

describe("the library's explore targets", () => {
  it("are there: DIO vs writeback (by the clock and by fire), Dirty COW, GUP-fast against fork, the ODP fault against an invalidation (with and without the retry)", () => {
    expect(withExplore).toEqual(expect.arrayContaining([
      "explore-dio-writeback.yaml", "explore-dio-fire-writeback.yaml", "explore-dirty-cow.yaml", "explore-gup-fast-fork.yaml",
      "explore-odp-fault-invalidate.yaml", "explore-odp-fault-invalidate-no-retry.yaml",
    ]));
  });

  it.each(withExplore)("%s: every explore entry holds, and every finding replays with pinlab run", async (file) => {
    const out = join(dir, file.replace(/\.yaml$/, ""));
    const io = captureIo(REPO_ROOT);
    const code = await main(["explore", join("scenarios", file), "--format", "json", "--out", out], io);
    const report = JSON.parse(io.stdout) as Report;
    expect(report.checks.filter((c) => c.status !== "pass")).toEqual([]);
    expect(report.checks.length).toBeGreaterThan(0);
    expect(code).toBe(0);
    expect(report.exhaustive).toBe(true);
    for (const f of report.findings) {
      const run = captureIo(REPO_ROOT);
      const rc = await main(["run", f.scenario, "--format", "json"], run);
      const r = (JSON.parse(run.stdout) as RunJson).results;
      expect(r.map((x) => `${x.policy}@${x.kernel}`)).toEqual([`${f.policy}@${f.kernel}`]);
      if (f.class === "expectation") {
        expect(rc).toBe(1);
        const [key, step] = f.outcome.split(" at step ");
        expect(r[0].steps.find((s) => s.index === Number(step))?.expectations.some((e) => e.key === key && !e.pass)).toBe(true);
      } else {
        expect(r[0].hazards.some((h) => h.class === f.class && h.outcome === f.outcome)).toBe(true);
      }
    }
  });
});
