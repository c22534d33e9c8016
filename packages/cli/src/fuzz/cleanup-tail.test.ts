/** The fuzzer's cleanup tail: what it releases and exits, concurrent blocks (issue 21) included. */
import { describe, expect, it } from "vitest";
import { cleanupTail, TAIL_NOTE } from "./cleanup-tail.js";
import { parseRawScenario } from "./gen-state.js";
import type { FuzzTargets } from "./targets.js";

const NO_DEVICES = { devices: [] } as unknown as FuzzTargets;

describe("the cleanup tail", () => {
  it("releases the handles and exits the children a concurrent block's threads bind and fork, children first", () => {
    const sc = parseRawScenario([
      "name: t",
      "processes: [p1]",
      "steps:",
      "  - { op: mmap, proc: p1, as: buf, length: 4KiB, prot: [read, write], flags: [private, anonymous] }",
      "  - { op: gup, proc: p1, addr: buf, pages: 1, call: pin_user_pages, flags: [FOLL_WRITE], as: outer }",
      "  - op: concurrent",
      "    threads:",
      "      pin: [ { op: gup, proc: p1, addr: buf, pages: 1, call: pin_user_pages_fast, flags: [FOLL_WRITE], as: pins } ]",
      "      fork: [ { op: fork, proc: p1, child: c1 } ]",
      "  - { op: release, handle: outer }",
    ].join("\n"));
    const tail = cleanupTail(sc, NO_DEVICES);
    expect(tail.every((s) => typeof s.note === "string" && s.note.startsWith(TAIL_NOTE))).toBe(true);
    expect(tail.filter((s) => s.op === "release").map((s) => s.handle)).toEqual(["pins"]);
    expect(tail.filter((s) => s.op === "exit").map((s) => s.proc)).toEqual(["c1", "p1"]);
  });
});
