/**
 * `pinlab run` shows why an expectation failed (issue 19, items 5 and 7) in text, JSON and
 * `--trace`: the step's errno and the kernel's message, the hazards recorded next to a hazard
 * mismatch, and the summary line's hazards split by outcome.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../main.js";
import { captureIo, REPO_ROOT } from "../test-support/capture-io.js";
import { tempDir } from "../test-support/temp-dir.js";

const SCENARIO = `name: failure-cause
policy: pin-bias
machine: { memory: 16MiB }
processes: [p1]
steps:
  - { op: mmap, proc: p1, as: buf, length: 16KiB, prot: [read, write], flags: [private, anonymous] }
  - { op: gup, proc: p1, addr: buf, pages: 1, call: get_user_pages, flags: [FOLL_PIN], expect: { result: 1 } }
  - { op: write, proc: p1, addr: buf, data: "hello" }
  - { op: gup, proc: p1, addr: buf, pages: 1, call: pin_user_pages, flags: [FOLL_WRITE], as: h }
  - { op: fork, proc: p1, child: c1 }
  - { op: write, proc: p1, addr: buf, data: "HELLO" }
  - { op: check, expect: { hazards: { class: cow_divergence, outcome: undetected } } }
`;

async function run(args: string[]) {
  const file = join(tempDir("pinlab-cause-"), "s.yaml");
  writeFileSync(file, SCENARIO);
  const io = captureIo(REPO_ROOT);
  const code = await main(["run", file, ...args], io);
  return { code, out: io.stdout };
}

describe("pinlab run: failures show their cause", () => {
  it("text: the errno and the reason beside a failed result; the hazards recorded beside a hazard mismatch; hazards by outcome", async () => {
    const r = await run([]);
    expect(r.code).toBe(1);
    expect(r.out).toContain("step 1 (gup) result: expected 1, got -22 (EINVAL): internal-only FOLL flag passed by the caller");
    expect(r.out).toMatch(/step 6 \(check\) hazards: expected \{ class: "cow_divergence", outcome: "undetected" \}, got 0 cow_divergence undetected; recorded: cow_divergence prevented x\d+/);
    expect(r.out).toMatch(/FAIL pin-bias .* 2 failed, \d+ hazards? prevented, 0 undetected/);
  });

  it("JSON: the step's message and each failed expectation's cause, beside the documented keys", async () => {
    const r = await run(["--format", "json"]);
    const steps = JSON.parse(r.out).results[0].steps as { errno: string | null; message?: string; expectations: Record<string, unknown>[] }[];
    expect(steps[1]).toMatchObject({ errno: "EINVAL", message: "internal-only FOLL flag passed by the caller" });
    expect(steps[1].expectations[0]).toMatchObject({ key: "result", expected: 1, actual: null, pass: false, cause: "-22 (EINVAL): internal-only FOLL flag passed by the caller" });
    expect(steps[6].expectations[0]).toMatchObject({ key: "hazards", actual: { count: 0 }, pass: false });
    expect(steps[6].expectations[0].cause).toMatch(/^recorded: cow_divergence prevented x\d+$/);
  });

  it("--trace: the refused call's reason in its event, and the cause in the report after the trace", async () => {
    const r = await run(["--trace"]);
    expect(r.out).toMatch(/gup .*errno="EINVAL".*reason="internal-only FOLL flag passed by the caller"/);
    expect(r.out).toContain("got -22 (EINVAL): internal-only FOLL flag passed by the caller");
  });
});
