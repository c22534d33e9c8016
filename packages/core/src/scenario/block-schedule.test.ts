/**
 * (issue 21) Scheduling a block's order when steps have preemption points: parts of other threads
 * run inside a stopped step, numbered after it; a step interrupted goes on only once what runs
 * inside it has finished; the enumeration counts and visits only such orders.
 */
import { describe, expect, it } from "vitest";
import { isScheduleProblem, scheduleBlock } from "./block-schedule.js";
import { interleavings } from "./interleavings.js";
import { stepMmapLock, stepPreemptPoints } from "./step-points.js";

describe("scheduleBlock", () => {
  const threads = [{ name: "w", parts: [2, 1] }, { name: "z", parts: [1, 2] }];

  it("runs a part given at a point inside the stopped step, numbered after it", () => {
    const s = scheduleBlock(threads, ["w", "z", "w", "w", "z", "z"]);
    expect(isScheduleProblem(s)).toBe(false);
    if (isScheduleProblem(s)) return;
    expect(s.starts).toEqual([{ thread: "w", index: 0 }, { thread: "z", index: 0 }, { thread: "w", index: 1 }, { thread: "z", index: 1 }]);
    expect(s.nested).toEqual([undefined, { parent: 0, point: 0 }, undefined, undefined]);
  });

  it("nests a step with points inside another, and each finishes in turn", () => {
    const s = scheduleBlock([{ name: "a", parts: [3] }, { name: "b", parts: [2] }, { name: "c", parts: [1] }], ["a", "b", "c", "b", "a", "a"]);
    if (isScheduleProblem(s)) throw new Error(s.message);
    expect(s.nested).toEqual([undefined, { parent: 0, point: 0 }, { parent: 1, point: 0 }]);
  });

  it("refuses a step that goes on while a step run inside it has not finished", () => {
    const s = scheduleBlock([{ name: "a", parts: [2] }, { name: "b", parts: [2] }], ["a", "b", "a", "b"]);
    expect(s).toEqual({ at: 2, message: expect.stringMatching(/thread "a" goes on with its step 0 while thread "b"'s step, which runs inside it, has not finished/) });
  });

  it("refuses an order that ends with a step stopped at a point", () => {
    expect(scheduleBlock([{ name: "a", parts: [2] }, { name: "b", parts: [1] }], ["a", "b"])).toMatchObject({ at: 2, message: expect.stringMatching(/ends while thread "a"'s step is stopped/) });
  });
});

describe("the points of a step", () => {
  it("are GUP-fast's read and grab, the slow path's faultin (and the long-term migrate loop), the forced write's, fork's", () => {
    expect(stepPreemptPoints({ op: "gup", call: "pin_user_pages_fast", flags: [] })).toEqual(["gup_fast.read", "gup_fast.grab"]);
    expect(stepPreemptPoints({ op: "gup", call: "pin_user_pages", flags: ["FOLL_LONGTERM"] })).toEqual(["gup.faultin", "gup.longterm_migrate"]);
    expect(stepPreemptPoints({ op: "proc_mem_write" })).toEqual(["gup.faultin"]);
    expect(stepPreemptPoints({ op: "proc_mem_write", race: "dontneed" })).toEqual([]);
    expect(stepPreemptPoints({ op: "fork" })).toEqual(["fork.copy_pte"]);
    expect(stepPreemptPoints({ op: "write" })).toEqual([]);
    expect(stepPreemptPoints("junk")).toEqual([]);
  });

  it("take the mmap lock as the kernel does, coarsely", () => {
    expect(stepMmapLock({ op: "munmap" })).toBe("write");
    expect(stepMmapLock({ op: "madvise" })).toBe("read");
    expect(stepMmapLock({ op: "gup", call: "pin_user_pages_fast" })).toBeUndefined();
    expect(stepMmapLock({ op: "gup", call: "get_user_pages" })).toBe("read");
    expect(stepMmapLock({ op: "advance" })).toBeUndefined();
  });
});

describe("interleavings with parts", () => {
  it("counts and visits only the orders where an interrupted step goes on after what runs inside it", () => {
    const seen: string[] = [];
    const stats = interleavings({ threads: [{ name: "a", count: 2, parts: [2] }, { name: "b", count: 2, parts: [2] }] }, (o) => seen.push(o.join("")));
    expect(seen).toEqual(["aabb", "abba", "baab", "bbaa"]);
    expect(stats).toMatchObject({ orders: 4, explored: 4, exhaustive: true });
  });

  it("with one step of one point against a plain step: the plain step before, at the point, after", () => {
    const seen: string[] = [];
    const stats = interleavings({ threads: [{ name: "w", count: 2, parts: [2] }, { name: "z", count: 1 }] }, (o, p) => seen.push(`${o.join("")}/${p}`));
    expect(seen).toEqual(["wwz/0", "wzw/1", "zww/0"]);
    expect(stats.orders).toBe(3);
  });
});
