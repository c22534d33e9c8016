/**
 * (issue 21) `pinlab explore`: independent steps of two processes commute (explored < orders),
 * the DIO-vs-writeback race is found under legacy-get and detected in every order under pin-bias,
 * each finding's scenario replays it with `pinlab run`, and bad input exits 2.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "../main.js";
import { captureIo, REPO_ROOT } from "../test-support/capture-io.js";

const dir = mkdtempSync(join(tmpdir(), "pinlab-explore-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const commuting = `name: commuting
policy: pin-bias
machine: { memory: 16MiB }
processes: [p1, p2]
steps:
  - { op: mmap, proc: p1, as: a, length: 8KiB, prot: [read, write], flags: [private, anonymous] }
  - { op: mmap, proc: p2, as: b, length: 8KiB, prot: [read, write], flags: [private, anonymous] }
  - op: concurrent
    threads:
      one:
        - { op: write, proc: p1, addr: a, data: "one" }
        - { op: write, proc: p1, addr: a+4KiB, data: "uno" }
      two:
        - { op: write, proc: p2, addr: b, data: "two" }
        - { op: read, proc: p2, addr: b, length: 3, expect: { result: "two" } }
`;

interface Report {
  orders: number; explored: number; exhaustive: boolean; absent: Record<string, string[]>; blocked: number; runs: string[];
  checks: { entry: number; kind: string; selector: string; run?: string; status: string; why: string }[];
  findings: { class: string; outcome: string; policy: string; kernel: string; trace: string[][]; preemptions: number; scenario: string }[];
}

async function explore(args: string[]): Promise<{ code: number; report: Report; stderr: string }> {
  const io = captureIo(dir);
  const code = await main(["explore", ...args, "--format", "json"], io);
  return { code, report: (io.stdout === "" ? undefined : JSON.parse(io.stdout)) as Report, stderr: io.stderr };
}

describe("pinlab explore", () => {
  it("runs one order of each class of equivalent orders: independent steps of two processes commute", async () => {
    writeFileSync(join(dir, "commuting.yaml"), commuting);
    const reduced = await explore(["commuting.yaml"]);
    expect(reduced.code).toBe(0);
    expect(reduced.report).toMatchObject({ orders: 6, explored: 1, exhaustive: true, findings: [] });
    const naive = await explore(["commuting.yaml", "--no-reduction"]);
    expect(naive.report).toMatchObject({ orders: 6, explored: 6, exhaustive: true, findings: [] });
  });

  const dio = join(REPO_ROOT, "scenarios", "explore-dio-writeback.yaml");

  it("finds the DIO-vs-writeback race under legacy-get, and under pin-bias detects it in every order", async () => {
    const { code, report } = await explore([dio, "--out", join(dir, "found")]);
    expect(code).toBe(0);
    expect(report).toMatchObject({ orders: 6, explored: 6, exhaustive: true });
    const legacy = report.findings.filter((f) => f.policy === "legacy-get");
    const pinBias = report.findings.filter((f) => f.policy === "pin-bias");
    expect(legacy.map((f) => `${f.class} ${f.outcome}`)).toEqual(["dma_after_clean undetected", "expectation file_data.disk at step 11"]);
    // The shortest order: writeback and reclaim first, then the DMA (no preemption).
    expect(legacy[0]).toMatchObject({ trace: [["wb", "wb", "dio", "dio"]], preemptions: 0, kernel: "v5.3" });
    // Every order was run under pin-bias: none left a hazard undetected or lost the data.
    expect(pinBias.map((f) => `${f.class} ${f.outcome}`)).toEqual(["dma_after_clean detected"]);
    expect(report.absent["legacy-get@v5.3"]).not.toContain("dma_after_clean");
  });

  it("writes each finding as a scenario that `pinlab run` replays, comments kept", async () => {
    const { report } = await explore([dio, "--out", join(dir, "replay")]);
    for (const f of report.findings) {
      const text = readFileSync(join(dir, f.scenario), "utf8");
      expect(text).toContain(`order: [ ${f.trace[0].join(", ")} ]`);
      expect(text).toContain("# pinlab explore (issue 21): the DIO-vs-writeback race"); // the source's comments survive
      const io = captureIo(dir);
      const code = await main(["run", f.scenario, "--format", "json"], io);
      const run = JSON.parse(io.stdout) as { results: { policy: string; hazards: { class: string; outcome: string }[]; steps: { index: number; expectations: { key: string; pass: boolean }[] }[] }[] };
      const r = run.results;
      expect(r.map((x) => x.policy)).toEqual([f.policy]);
      if (f.class === "expectation") {
        expect(code).toBe(1);
        const [key, step] = f.outcome.split(" at step ");
        expect(r[0].steps[Number(step)].expectations.some((e) => e.key === key && !e.pass)).toBe(true);
      } else {
        expect([0, 1]).toContain(code); // the order may also fail an expectation (its own finding)
        expect(r[0].hazards.some((h) => h.class === f.class && h.outcome === f.outcome)).toBe(true);
      }
    }
  });

  it("with --bound 0 runs only the orders without a preemption, exhaustively", async () => {
    const { report } = await explore([dio, "--bound", "0", "--policy", "legacy-get", "--out", join(dir, "b0")]);
    expect(report).toMatchObject({ orders: 6, explored: 2, exhaustive: true });
    expect(report.findings[0]).toMatchObject({ class: "dma_after_clean", outcome: "undetected" });
  });

  it("says plainly that a scenario without a concurrent block has one order", async () => {
    copyFileSync(join(REPO_ROOT, "scenarios", "dio-writeback-race.yaml"), join(dir, "plain.yaml"));
    const io = captureIo(dir);
    expect(await main(["explore", "plain.yaml", "--policy", "pin-bias", "--out", "plain-out"], io)).toBe(0);
    expect(io.stdout).toContain("no concurrent block: one order, run as written");
    const json = await explore(["plain.yaml", "--policy", "pin-bias", "--out", "plain-out"]);
    expect(json.report).toMatchObject({ orders: 1, explored: 1, exhaustive: true });
  });

  /** A forced write racing `other` (a step of process victim), with `explore` lines. */
  const forced = (other: string, exploreBlock: string) => `name: forced
policy: legacy-get
machine: { memory: 16MiB, kernel: v4.8 }
files: [ { name: f, fs: ext4, size: 4KiB } ]
processes: [owner, victim]
${exploreBlock}steps:
  - { op: mmap, proc: owner, as: s, length: 4KiB, prot: [read, write], flags: [shared], file: f }
  - { op: write, proc: owner, addr: s, data: "root" }
  - { op: mmap, proc: victim, as: ro, length: 4KiB, prot: [read], flags: [private], file: f }
  - op: concurrent
    threads:
      w:
        - { op: proc_mem_write, proc: victim, addr: ro, data: "HACK" }
      z:
        - ${other}
  - { op: check, expect: { data: { proc: owner, addr: s, equals: "root" } } }
`;

  it("runs a step at another's preemption point, explores each era the explore block names, and checks the block", async () => {
    writeFileSync(join(dir, "forced.yaml"), forced("{ op: madvise, proc: victim, addr: ro, length: 4KiB, advice: dontneed }", `explore:
  expect:
    - { kernel: v4.8, found: { class: expectation, key: data } }
    - { kernel: v5.3, absent: { class: expectation } }
`));
    const { code, report } = await explore(["forced.yaml", "--out", "forced-out"]);
    expect(code).toBe(0);
    expect(report).toMatchObject({ orders: 3, explored: 3, exhaustive: true, blocked: 0, runs: ["legacy-get@v4.8", "legacy-get@v5.3"] });
    expect(report.findings).toEqual([expect.objectContaining({ class: "expectation", outcome: "data at step 5", kernel: "v4.8", trace: [["w", "z", "w"]], preemptions: 1 })]);
    expect(report.checks.map((c) => `${c.status} ${c.kind} ${c.selector} ${c.run}`)).toEqual(["pass found expectation/data legacy-get@v4.8", "pass absent expectation legacy-get@v5.3"]);
    // --kernel explores that era only: the other entry is not checked.
    const one = await explore(["forced.yaml", "--kernel", "v5.3", "--out", "forced-out"]);
    expect(one.code).toBe(0);
    expect(one.report.checks.map((c) => c.status)).toEqual(["not checked", "pass"]);
  });

  it("exits 1 and says which entry failed when the exploration does not show what the block says", async () => {
    writeFileSync(join(dir, "wrong.yaml"), forced("{ op: madvise, proc: victim, addr: ro, length: 4KiB, advice: dontneed }", `explore:
  expect:
    - { absent: { class: expectation }, note: wrong on purpose }
`));
    const io = captureIo(dir);
    expect(await main(["explore", "wrong.yaml", "--out", "wrong-out"], io)).toBe(1);
    expect(io.stdout).toMatch(/explore expectations: 1 FAILED, 0 hold\n {4}FAIL \[0\] absent expectation under legacy-get @v4.8: expectation data at step 5: order \[w, z, w\] \(wrong on purpose\)/);
  });

  it("counts the runs whose order cannot happen (munmap would wait for the lock held at gup.faultin) and shows nothing for them", async () => {
    writeFileSync(join(dir, "blocked.yaml"), forced("{ op: munmap, proc: victim, addr: ro, length: 4KiB }", ""));
    const { code, report } = await explore(["blocked.yaml", "--out", "blocked-out"]);
    expect(code).toBe(0);
    expect(report).toMatchObject({ orders: 3, explored: 3, blocked: 1, findings: [] });
  });

  it.each([
    [["commuting.yaml", "--bound", "-1"], /--bound must be a whole number/],
    [["commuting.yaml", "--policy", "nope"], /unknown policy "nope"/],
    [[join(REPO_ROOT, "scenarios", "invalid", "concurrent-one-thread.yaml")], /needs at least 2 threads/],
  ])("exits 2 for bad input: %j", async (args, message) => {
    writeFileSync(join(dir, "commuting.yaml"), commuting);
    const io = captureIo(dir);
    expect(await main(["explore", ...args], io)).toBe(2);
    expect(io.stderr).toMatch(message);
  });
});
