/**
 * A gup step that takes fewer pages than asked says where and why GUP stopped (issue 19,
 * "failures show their cause"): the step's message, which a failed expectation shows as its cause.
 */
import { describe, expect, it } from "vitest";
import { loadScenario, pluginView, runScenario } from "@pinlab/core";
import { builtinContainer } from "./plugins/load-plugins.js";

const container = builtinContainer();

const STORY = `name: gup-stops
policy: pin-bias
machine: { memory: 32MiB }
files: [ { name: data, fs: ext4, size: 8KiB } ]
processes: [p1]
steps:
  - { op: gup, proc: p1, addr: 0x10000, pages: 1, call: pin_user_pages, flags: [FOLL_WRITE] }
  - { op: mmap, proc: p1, as: ro, length: 4KiB, prot: [read], flags: [private, anonymous] }
  - { op: gup, proc: p1, addr: ro, pages: 1, call: pin_user_pages, flags: [FOLL_WRITE] }
  - { op: gup, proc: p1, addr: ro, pages: 2, call: pin_user_pages_fast, flags: [], as: part }
  - { op: mmap, proc: p1, as: shro, length: 8KiB, prot: [read], flags: [shared], file: data }
  - { op: gup, proc: p1, addr: shro, pages: 1, call: get_user_pages, flags: [FOLL_WRITE, FOLL_FORCE] }
  - { op: mmap, proc: p1, as: sh, length: 8KiB, prot: [read, write], flags: [shared], file: data }
  - { op: gup, proc: p1, addr: sh, pages: 1, call: pin_user_pages, flags: [FOLL_WRITE, FOLL_LONGTERM] }
  - { op: gup, proc: p1, addr: sh, pages: 1, call: pin_user_pages, flags: [FOLL_ANON] }
  - { op: release, handle: part }
  - { op: gup, proc: p1, addr: ro, pages: 2, call: pin_user_pages_fast, flags: [], expect: { result: 2 } }
`;

describe("a gup step that stops says why", () => {
  const r = runScenario(loadScenario(STORY, "gup-stops.yaml", pluginView(container)), { container }).results[0];
  const at = (i: number) => ({ errno: r.steps[i].errno, result: r.steps[i].result, message: r.steps[i].message });

  it("names the missing VMA, the VMA rule that refused, or the policy's long-term rule", () => {
    expect(at(0)).toEqual({ errno: "EFAULT", result: null, message: "no VMA at 0x10000 (find_vma)" });
    expect(at(2).message).toMatch(/^the VMA 0x[0-9a-f]+-0x[0-9a-f]+ is not writable and the call passed FOLL_WRITE without FOLL_FORCE \(check_vma_flags\)$/);
    expect(at(5).message).toMatch(/is a read-only shared mapping: FOLL_FORCE writes only private \(COW\) mappings/);
    expect(at(7)).toMatchObject({ errno: "EFAULT" });
    expect(at(7).message).toMatch(/^the policy refuses a long-term pin of the VMA .* \(EFAULT; /);
    expect(at(8).message).toMatch(/is not anonymous and the call passed FOLL_ANON/);
  });

  it("says how many pages a partial pin took and why it stopped, and shows it as the cause of a failed result", () => {
    expect(at(3)).toEqual({ errno: null, result: 1, message: expect.stringMatching(/^took 1 of 2 pages: no VMA at 0x[0-9a-f]+ \(find_vma\)$/) });
    const failed = r.steps[10].expectations[0];
    expect(failed).toMatchObject({ key: "result", expected: 2, actual: 1, pass: false });
    expect(failed.cause).toMatch(/^took 1 of 2 pages: no VMA at/);
  });
});
