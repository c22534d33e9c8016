/**
 * (issue 21) The ODP target of `pinlab explore`: a device fault pass against MADV_DONTNEED. With
 * the interval sequence retry no order lets the mirror map a stale page; a driver that skips
 * `mmu_interval_read_retry` (intervalRetry: false) is caught, under every policy, and each of its
 * findings replays with `pinlab run`.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "../main.js";
import { captureIo, REPO_ROOT } from "../test-support/capture-io.js";

const dir = mkdtempSync(join(tmpdir(), "pinlab-explore-odp-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Report {
  orders: number; explored: number; exhaustive: boolean; absent: Record<string, string[]>;
  findings: { class: string; outcome: string; policy: string; trace: string[][]; scenario: string }[];
}

interface RunJson {
  results: { policy: string; hazards: { class: string; outcome: string; detail: string }[]; steps: { expectations: { key: string; pass: boolean }[] }[] }[];
}

async function explore(file: string, out: string): Promise<{ code: number; report: Report }> {
  const io = captureIo(dir);
  const code = await main(["explore", join(REPO_ROOT, "scenarios", file), "--out", out, "--format", "json"], io);
  return { code, report: JSON.parse(io.stdout) as Report };
}

describe("pinlab explore: an ODP mirror fault against an invalidation", () => {
  it("with mmu_interval_read_retry, no order of the 10 maps a stale page: no hazard, no failed expectation", async () => {
    const { code, report } = await explore("explore-odp-fault-invalidate.yaml", "correct");
    expect(code).toBe(0);
    expect(report).toMatchObject({ orders: 10, explored: 10, exhaustive: true, findings: [] });
    expect(report.absent["pin-bias@v6.12"]).toContain("dma_to_freed");
    expect(report.absent["legacy-get@v5.3"]).toContain("dma_to_freed");
  });

  it("without it, some order DMAs into the freed frame's new page, undetected under every policy, and each finding replays", async () => {
    const { code, report } = await explore("explore-odp-fault-invalidate-no-retry.yaml", "buggy");
    expect(code).toBe(0);
    expect(report).toMatchObject({ orders: 10, exhaustive: true });
    for (const policy of ["pin-bias", "legacy-get"]) {
      const found = report.findings.filter((f) => f.policy === policy).map((f) => `${f.class} ${f.outcome}`);
      expect(found).toEqual(expect.arrayContaining(["dma_to_freed undetected", "expectation data at step 10", "expectation page.same_frame_as at step 10"]));
      expect(found.filter((f) => !f.startsWith("expectation"))).toEqual(["dma_to_freed undetected"]);
    }
    // The shortest order: the madvise and the process's next write land inside the fault pass.
    expect(report.findings[0].trace).toEqual([["nic", "cpu", "cpu", "nic", "nic"]]);
    for (const f of report.findings) {
      expect(readFileSync(join(dir, f.scenario), "utf8")).toContain(`order: [ ${f.trace[0].join(", ")} ]`);
      const io = captureIo(dir);
      expect(await main(["run", f.scenario, "--format", "json"], io)).toBe(1);
      const [r] = (JSON.parse(io.stdout) as RunJson).results;
      expect(r.policy).toBe(f.policy);
      expect(r.hazards.map((h) => `${h.class} ${h.outcome}`)).toEqual(["dma_to_freed undetected"]);
      expect(r.hazards[0].detail).toMatch(/through a stale mirror entry/);
      expect(r.steps[10].expectations.filter((e) => !e.pass).map((e) => e.key)).toEqual(["page.same_frame_as", "data"]);
    }
  });
});
