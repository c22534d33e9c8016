import { describe, expect, it } from "vitest";
import { parseFindingHeader, type FindingHeader } from "./finding-header.js";
import { planForFinding } from "./finding-plan.js";
import type { ComparePlan } from "./run-plan.js";
import { dioFindingText, registry } from "./test-support.js";

const finding = (line: string): FindingHeader => {
  const f = parseFindingHeader(dioFindingText(line));
  if (f === undefined) throw new Error("not a finding");
  return f;
};
const legacy = finding("pinlab explore finding: dma_after_clean undetected under legacy-get @v5.3");
const base: ComparePlan = { mode: "policies", policies: ["pin-bias"], policy: "pin-bias", kernels: ["v5.3", "v6.12"] };

describe("the columns a finding needs", () => {
  it("checks the finding's policy in policies mode, on each policy's own era", () => {
    expect(planForFinding(base, legacy, registry.policyIds)).toEqual({ ...base, policies: ["pin-bias", "legacy-get"] });
    expect(planForFinding({ ...base, policies: ["legacy-get", "pin-bias"], kernel: "v6.12" }, legacy, registry.policyIds)).toEqual({ ...base, policies: ["legacy-get", "pin-bias"] });
  });

  it("changes nothing when a column already runs it, or when its policy is unknown", () => {
    expect(planForFinding({ ...base, policies: ["legacy-get"] }, legacy, registry.policyIds)).toBeUndefined();
    expect(planForFinding({ ...base, policies: ["legacy-get"], kernel: "v5.3" }, legacy, registry.policyIds)).toBeUndefined();
    expect(planForFinding(base, finding("pinlab explore finding: dma_after_clean undetected under no-such-policy @v5.3"), registry.policyIds)).toBeUndefined();
  });

  it("compares the finding's policy and checks its era in kernels mode", () => {
    const k: ComparePlan = { ...base, mode: "kernels", kernels: ["v6.12"] };
    expect(planForFinding(k, legacy, registry.policyIds)).toEqual({ ...k, policy: "legacy-get", kernels: ["v6.12", "v5.3"] });
    expect(planForFinding({ ...k, policy: "legacy-get", kernels: ["v5.3"] }, legacy, registry.policyIds)).toBeUndefined();
  });
});
