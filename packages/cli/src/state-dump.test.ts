/**
 * State on demand (issue 19, item 4): the `dump` op and `pinlab run --state STEP` show each
 * process's mapped pages and each holder's frames, in text and JSON, and change no event.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadScenario, pluginView, runScenario, type StateSnapshot } from "@pinlab/core";
import { main } from "./main.js";
import { builtinContainer } from "./plugins/load-plugins.js";
import { captureIo, REPO_ROOT } from "./test-support/capture-io.js";
import { tempDir } from "./test-support/temp-dir.js";

const container = builtinContainer();
const run = async (args: string[]) => {
  const io = captureIo(REPO_ROOT);
  const code = await main(args, io);
  return { code, out: io.stdout, err: io.stderr };
};

const STORY = `name: dump-story
policy: [legacy-get, pin-bias]
machine: { memory: 64MiB }
devices: [ { name: hca0, kind: rdma-mr } ]
processes: [p1]
steps:
  - { op: mmap, proc: p1, as: buf, length: 4MiB, prot: [read, write], flags: [private, anonymous], align: 2MiB }
  - { op: madvise, proc: p1, addr: buf, length: 2MiB, advice: hugepage }
  - { op: write, proc: p1, addr: buf, data: "huge" }
  - { op: write, proc: p1, addr: buf+2MiB, data: "small" }
  - { op: gup, proc: p1, addr: buf+2MiB, pages: 1, call: pin_user_pages, flags: [FOLL_WRITE], as: st }
  - { op: device, device: hca0, action: reg_mr, proc: p1, addr: buf, length: 8KiB, access: [local_write], as: mr }
  - { op: fork, proc: p1, child: c1 }
  - { op: dump }
  - { op: dump, proc: c1 }
  - { op: dump, holder: st }
`;

function runStory(stateAt?: ReadonlySet<number>) {
  return runScenario(loadScenario(STORY, "dump-story.yaml", pluginView(container)), { container, ...(stateAt !== undefined ? { stateAt } : {}) });
}

describe("the dump op", () => {
  const report = runStory();
  const byPolicy = Object.fromEntries(report.results.map((r) => [r.policy, r]));
  const state = (policy: string, step: number): StateSnapshot => byPolicy[policy].steps[step].state!;

  it("shows each process's pages, a THP as one row of 512, with the policy's pin view", () => {
    const p1 = state("pin-bias", 7).processes.find((p) => p.proc === "p1")!;
    const [thp, small] = p1.pages;
    expect(thp).toMatchObject({ pages: 512, order: 9, pincount: 2, maybe_dma_pinned: true });
    // Fork split the pinned THP's PMD in the parent (copy_huge_pmd() falls back to PTEs): no `pmd` now.
    expect(thp.flags).toContain("anon");
    expect(thp.flags).not.toContain("pmd");
    // The small page: pinned by the handle (one bias) and nothing else.
    expect(small).toMatchObject({ pages: 1, order: 0, refcount: 1025, pincount: 1, maybe_dma_pinned: true, mapcount: 1 });
    expect(Number(small.addr) - Number(thp.addr)).toBe(2 * 1024 * 1024);
    // legacy-get (v5.3) takes plain references and fork shares the page: two mappings plus the
    // handle's reference, and nothing says pinned.
    const legacy = state("legacy-get", 7).processes.find((p) => p.proc === "p1")!.pages[1];
    expect(legacy).toMatchObject({ refcount: 3, mapcount: 2, pincount: 0, maybe_dma_pinned: false });
  });

  it("shows each holder's frames as runs: the device's region and the handle", () => {
    const holders = state("pin-bias", 7).holders;
    expect(holders.map((h) => h.holder)).toEqual(["hca0", "st"]);
    const p1Thp = state("pin-bias", 7).processes.find((p) => p.proc === "p1")!.pages[0];
    expect(holders[0].frames).toEqual([{ pfn: p1Thp.pfn, pages: 2, pid: 1, addr: p1Thp.addr, write: true, longterm: true, refs: 1 }]);
    expect(holders[1].frames).toMatchObject([{ pages: 1, write: true, longterm: false }]);
  });

  it("shows only the process or holder a filter names", () => {
    expect(state("pin-bias", 8).processes.map((p) => p.proc)).toEqual(["c1"]);
    expect(state("pin-bias", 8).holders).toEqual([]);
    expect(state("pin-bias", 9).processes).toEqual([]);
    expect(state("pin-bias", 9).holders.map((h) => h.holder)).toEqual(["st"]);
  });

  it("refuses a holder that names nothing, at load, naming the step and field", () => {
    expect(() => loadScenario(`${STORY}  - { op: dump, holder: nobody }\n`, "x.yaml", pluginView(container))).toThrow(/step 10 \(dump\), field "holder": "nobody" names no holder/);
  });
});

describe("pinlab run --state", () => {
  it("adds the state after the steps asked for and changes no event", () => {
    const plain = runStory();
    const stated = runStory(new Set([4, 6]));
    expect(stated.results.map((r) => r.eventsHash)).toEqual(plain.results.map((r) => r.eventsHash));
    const steps = stated.results[1].steps;
    expect(steps.filter((s) => s.state !== undefined).map((s) => s.index)).toEqual([4, 6, 7, 8, 9]);
    expect(steps[6].state!.processes.map((p) => p.proc)).toEqual(["p1", "c1"]);
    expect(steps[4].state!.processes[0].pages[0]).toMatchObject({ pages: 512, order: 9 });
    expect(steps[4].state!.processes[0].pages[0].flags).toContain("pmd");
  });

  it("prints tables in text and the state in JSON", async () => {
    const dir = tempDir("pinlab-state-");
    const file = join(dir, "story.yaml");
    writeFileSync(file, STORY);
    const text = await run(["run", file, "--policy", "pin-bias", "--state", "4"]);
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/state after step 4 \(gup\)\n\s+p1 \(pid 1\)\n\s+addr\s+pages\s+pfn\s+refcount\s+mapcount\s+pincount\s+maybe_dma_pinned/);
    expect(text.out).toMatch(/st holds 1 frame\n/);
    const json = await run(["run", file, "--policy", "pin-bias", "--state", "all", "--format", "json"]);
    const steps = (JSON.parse(json.out) as { results: { steps: { state?: StateSnapshot }[] }[] }).results[0].steps;
    expect(steps.every((s) => s.state !== undefined)).toBe(true);
  });

  it("refuses a bad --state with exit 2 naming the flag (and the file for a step beyond its end)", async () => {
    const bad = await run(["run", "scenarios/rdma-mr-fork.yaml", "--state", "two"]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--state: "two" is not a step index/);
    const beyond = await run(["run", "scenarios/rdma-mr-fork.yaml", "--state", "3,99"]);
    expect(beyond.code).toBe(2);
    expect(beyond.err).toMatch(/--state 99: scenarios\/rdma-mr-fork\.yaml has 10 steps \(0-9\)/);
    // Several files: a step some of them have applies to those; one none has is refused.
    const two = await run(["run", "scenarios/rdma-mr-fork.yaml", "scenarios/dump-fork-frames.yaml", "--policy", "pin-bias", "--state", "9", "--format", "json"]);
    expect(two.code).toBe(0);
    const stated = two.out.trim().split("\n").map((l) => (JSON.parse(l) as { results: { steps: { index: number; op: string; state?: unknown }[] }[] }).results[0].steps.filter((st) => st.state !== undefined).map((st) => `${st.index}:${st.op}`));
    expect(stated).toEqual([["9:device"], ["4:dump", "5:dump", "7:dump"]]);
    const none = await run(["run", "scenarios/rdma-mr-fork.yaml", "scenarios/dump-fork-frames.yaml", "--state", "12"]);
    expect(none.code).toBe(2);
    expect(none.err).toMatch(/--state 12: the longest file, scenarios\/rdma-mr-fork\.yaml, has 10 steps/);
  });
});
