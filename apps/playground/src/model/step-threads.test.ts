import { loadScenario, type LoadedScenario } from "@pinlab/core";
import { describe, expect, it } from "vitest";
import { nestedLabel, orderStrips, stepThreads, threadLabel, threadText } from "./step-threads.js";
import { dioFindingText, libraryScenario, registry } from "./test-support.js";

const labels = (loaded: LoadedScenario) => stepThreads(loaded).map((t) => (t === undefined ? undefined : threadLabel(t)));

describe("threads of a concurrent block", () => {
  it("labels each step of the block with its thread, as written when no order is given", () => {
    const sc = libraryScenario("explore-dio-writeback");
    const b = sc.blocks?.[0];
    expect(b).toBeDefined();
    const got = labels(sc);
    // Outside the block: no label. Inside: dio's two steps, then wb's (the threads in the order written).
    expect(got.slice(0, b?.start)).toEqual(Array(b?.start).fill(undefined));
    expect(got.slice(b?.start, (b?.start ?? 0) + 4)).toEqual(["dio 1/2", "dio 2/2", "wb 1/2", "wb 2/2"]);
    expect(got.slice((b?.start ?? 0) + 4).every((l) => l === undefined)).toBe(true);
  });

  it("follows the block's order in a finding, and the step each label names is that thread's", () => {
    const sc = loadScenario(dioFindingText(), "finding.yaml", registry.plugins);
    const start = sc.blocks?.[0].start ?? -1;
    expect(labels(sc).slice(start, start + 4)).toEqual(["wb 1/2", "wb 2/2", "dio 1/2", "dio 2/2"]);
    const threads = stepThreads(sc);
    expect(sc.steps[start].op).toBe("writeback");
    expect(threads[start]?.thread).toBe("wb");
    expect(sc.steps[start + 3].op).toBe("advance");
    expect(threads[start + 3]?.thread).toBe("dio");
  });

  it("says where a step run at another's preemption point runs, and counts steps, not order entries", () => {
    const text = `name: nested
policy: legacy-get
machine: { memory: 16MiB, kernel: v4.8 }
files: [ { name: f, fs: ext4, size: 4KiB } ]
processes: [p1]
steps:
  - { op: mmap, proc: p1, as: ro, length: 4KiB, prot: [read], flags: [private], file: f }
  - op: concurrent
    threads:
      w: [ { op: proc_mem_write, proc: p1, addr: ro, data: "HACK" } ]
      z: [ { op: madvise, proc: p1, addr: ro, length: 4KiB, advice: dontneed } ]
    order: [w, z, w]
  - { op: read, proc: p1, addr: ro, length: 4 }
`;
    const sc = loadScenario(text, "nested.yaml", registry.plugins);
    const threads = stepThreads(sc);
    expect(labels(sc)).toEqual([undefined, "w 1/1", "z 1/1", undefined]);
    expect(threadText(threads[2])).toBe("z 1/1, inside step 1 at gup.faultin");
    expect(nestedLabel(threads[1])).toBeUndefined();
    expect(threadText(threads[0])).toBeUndefined();
  });

  it("draws each block's order as a strip: the steps run, the one just run and the next", () => {
    const sc = loadScenario(dioFindingText(), "finding.yaml", registry.plugins);
    const start = sc.blocks?.[0].start ?? -1;
    const threads = stepThreads(sc);
    const strips = orderStrips(threads, start + 2); // two steps of the block run
    expect(strips).toHaveLength(1);
    expect(strips[0].start).toBe(start);
    expect(strips[0].items.map((x) => [x.step, x.thread.thread, x.state])).toEqual([
      [start, "wb", "done"], [start + 1, "wb", "current"], [start + 2, "dio", "next"], [start + 3, "dio", "todo"]]);
    expect(orderStrips(threads, 0)[0].items.every((x) => x.state === "todo")).toBe(true);
    expect(orderStrips(stepThreads(libraryScenario("rdma-mr-fork")), 0)).toEqual([]);
  });

  it("keeps two blocks apart", () => {
    const text = `name: two-blocks
machine: { memory: 16MiB }
processes: [p1, p2]
steps:
  - op: concurrent
    threads:
      a: [ { op: mmap, proc: p1, as: x, length: 4KiB, prot: [read, write], flags: [private, anonymous] } ]
      b: [ { op: mmap, proc: p2, as: y, length: 4KiB, prot: [read, write], flags: [private, anonymous] } ]
    order: [b, a]
  - { op: touch, proc: p1, addr: x, length: 4KiB, write: true }
  - op: concurrent
    threads:
      c: [ { op: touch, proc: p2, addr: y, length: 4KiB, write: true }, { op: touch, proc: p2, addr: y, length: 4KiB } ]
      d: [ { op: touch, proc: p1, addr: x, length: 4KiB } ]
`;
    const sc = loadScenario(text, "two.yaml", registry.plugins);
    expect(labels(sc)).toEqual(["b 1/1", "a 1/1", undefined, "c 1/2", "c 2/2", "d 1/1"]);
    expect(orderStrips(stepThreads(sc), 4).map((s) => [s.block, s.start, s.items.map((x) => x.state)])).toEqual([
      [0, 0, ["done", "done"]], [1, 3, ["current", "next", "todo"]]]);
  });
});
