import { loadScenario } from "@pinlab/core";
import { describe, expect, it } from "vitest";
import { parseFindingHeader } from "./finding-header.js";
import { findingTarget } from "./finding-target.js";
import { record } from "./recording.js";
import { stepThreads } from "./step-threads.js";
import { dioFindingText, registry } from "./test-support.js";

describe("where a finding shows", () => {
  const sc = loadScenario(dioFindingText(), "finding.yaml", registry.plugins);
  const legacy = record(sc, "legacy-get", registry);
  const bias = record(sc, "pin-bias", registry);

  it("finds the hazard at the DMA: the read's completion, dio's last step, under legacy-get", () => {
    const f = parseFindingHeader(dioFindingText());
    expect(f).toBeDefined();
    if (f === undefined) return;
    const t = findingTarget(f, [bias, legacy]);
    expect(t).toMatchObject({ key: "legacy-get", label: "legacy-get @ v5.3", sameEra: true });
    const step = t?.step ?? -1;
    expect(stepThreads(sc)[step]).toMatchObject({ thread: "dio", nth: 2, of: 2 });
    expect(legacy.hazards.some((hz) => hz.step === step && hz.class === "dma_after_clean" && hz.outcome === "undetected")).toBe(true);
  });

  it("finds a failed expectation at its step, and nothing in a column where it does not fail", () => {
    const check = sc.steps.findIndex((s) => s.op === "check");
    const f = parseFindingHeader(dioFindingText(`pinlab explore finding: expectation failed: file_data.disk at step ${check} under legacy-get @v5.3`));
    expect(f === undefined ? undefined : findingTarget(f, [legacy, bias])?.step).toBe(check);
    const underBias = parseFindingHeader(dioFindingText(`pinlab explore finding: expectation failed: file_data.disk at step ${check} under pin-bias @v6.12`));
    expect(underBias === undefined ? undefined : findingTarget(underBias, [legacy, bias])).toEqual({ key: "pin-bias", label: "pin-bias @ v6.12", sameEra: true, step: undefined });
  });

  it("falls back to the policy at another era, and to nothing without the policy", () => {
    const f = parseFindingHeader(dioFindingText("pinlab explore finding: dma_after_clean detected under pin-bias @v5.3"));
    expect(f === undefined ? undefined : findingTarget(f, [legacy, bias])).toMatchObject({ key: "pin-bias", sameEra: false });
    const g = parseFindingHeader(dioFindingText("pinlab explore finding: dma_after_clean detected under vaddr-pin @v6.12"));
    expect(g === undefined ? undefined : findingTarget(g, [legacy, bias])).toBeUndefined();
  });
});
