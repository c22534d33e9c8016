import { describe, expect, it } from "vitest";
import type { ExpectationResult } from "@pinlab/core";
import { describeGot, summarizeHazards } from "./failure-text.js";

const failed = (e: Partial<ExpectationResult>): ExpectationResult => ({ key: "result", expected: 1, actual: null, pass: false, ...e });

describe("describeGot (issue 19: failures show their cause)", () => {
  it("shows the step's errno and message in place of a missing result", () => {
    expect(describeGot(failed({ cause: "-14 (EFAULT): no vma at 0x1000" }))).toBe("-14 (EFAULT): no vma at 0x1000");
  });

  it("shows a value the model had, then the cause", () => {
    expect(describeGot(failed({ key: "ok", expected: true, actual: false, cause: "-16 (EBUSY)" }))).toBe("false (-16 (EBUSY))");
    expect(describeGot(failed({ key: "errno", expected: "EFAULT", actual: "EINVAL", cause: "-22 (EINVAL): FOLL_GET and FOLL_PIN together" })))
      .toBe(`"EINVAL" (-22 (EINVAL): FOLL_GET and FOLL_PIN together)`);
  });

  it("shows a hazard matcher's count in its own words, with the hazards recorded", () => {
    const e = failed({ key: "hazards", expected: { class: "cow_divergence", outcome: "undetected" }, actual: { count: 0 }, cause: "recorded: cow_divergence prevented x64" });
    expect(describeGot(e)).toBe("0 cow_divergence undetected; recorded: cow_divergence prevented x64");
    expect(describeGot(failed({ key: "hazards", expected: { count: 2 }, actual: { count: 1 }, cause: "recorded: gup_stale detected x1" })))
      .toBe("1 hazard; recorded: gup_stale detected x1");
    expect(describeGot(failed({ key: "hazards", expected: [], actual: ["a/prevented"], cause: "recorded: a prevented x1" }))).toBe(`["a/prevented"]; recorded: a prevented x1`);
  });

  it("without a cause, shows the value as before", () => {
    expect(describeGot(failed({ key: "page.refcount", expected: 2, actual: 3 }))).toBe("3");
  });
});

describe("summarizeHazards (issue 19: the summary splits hazards by outcome)", () => {
  const hz = (...o: string[]) => o.map((outcome) => ({ outcome }));
  it("never counts prevented hazards as if they got through", () => {
    expect(summarizeHazards([])).toBe("no hazards");
    expect(summarizeHazards(hz("prevented", "prevented", "prevented", "prevented"))).toBe("4 hazards prevented, 0 undetected");
    expect(summarizeHazards(hz("prevented"))).toBe("1 hazard prevented, 0 undetected");
    expect(summarizeHazards(hz("undetected", "undetected"))).toBe("2 hazards undetected");
    expect(summarizeHazards(hz("undetected", "prevented", "detected"))).toBe("3 hazards: 1 prevented, 1 detected, 1 undetected");
    expect(summarizeHazards(hz("prevented", "detected"))).toBe("2 hazards: 1 prevented, 1 detected, 0 undetected");
  });
});
