import { describe, expect, it } from "vitest";
import { libraryEntry, libraryIdOf } from "../model/library.js";
import { decodeState, encodeState } from "../model/share.js";
import { registry } from "../model/test-support.js";
import { DEFAULT_COMPARE_KERNELS, type ComparePlan } from "../model/run-plan.js";
import { linkPlan, linkPolicies, linkState } from "./share-controller.js";

const DEFAULTS = ["legacy-get", "pin-bias"];
const plan = (policies: string[], more: Partial<ComparePlan> = {}): ComparePlan => ({ mode: "policies", policies, policy: policies[0], kernels: DEFAULT_COMPARE_KERNELS, ...more });

describe("the URL state of the page", () => {
  it("records the selected frame only when there is one", () => {
    expect(linkState({ text: "x", pos: 3, plan: plan(["pin-bias"]), selected: undefined })).toEqual({ text: "x", pos: 3, policies: ["pin-bias"] });
    expect(linkState({ text: "x", pos: 3, plan: plan(["pin-bias"]), selected: 0 })).toEqual({ text: "x", pos: 3, policies: ["pin-bias"], pfn: 0 });
  });

  it("round-trips what the page shows through the fragment", async () => {
    const text = libraryEntry("rdma-mr-fork")!.text;
    const shown = { text, pos: 4, plan: plan(["legacy-get", "pin-bias", "exact-pincount"]), selected: 1 };
    const frag = await encodeState(linkState(shown));
    expect(frag).not.toMatch(/&(m|k|kp|ker)=/);
    const state = (await decodeState(`#${frag}`))!;
    expect(state).toEqual({ text, pos: 4, policies: shown.plan.policies, pfn: 1 });
    expect(libraryIdOf(state.text)).toBe("rdma-mr-fork");
    expect(linkPolicies(state.policies, registry.policyIds, DEFAULTS)).toEqual(shown.plan.policies);
    expect(linkPlan(state, registry.policyIds, DEFAULTS)).toEqual(shown.plan);
  });

  it("round-trips the era choices: one era for every policy, and kernels mode", async () => {
    for (const p of [
      plan(["legacy-get", "pin-bias"], { kernel: "v5.3" }),
      plan(["pin-bias"], { mode: "kernels", policy: "legacy-get", kernels: ["v5.3", "v5.18", "v6.12"] }),
      plan(["exact-pincount", "vaddr-pin"], { mode: "kernels", policy: "vaddr-pin", kernel: "v5.9", kernels: ["v4.8", "v6.5"] }),
    ]) {
      const state = (await decodeState(`#${await encodeState(linkState({ text: "x", pos: 2, plan: p, selected: undefined }))}`))!;
      expect(linkPlan(state, registry.policyIds, DEFAULTS)).toEqual(p);
    }
  });

  it("opens a link made before eras as policies compared on their default eras", () => {
    expect(linkPlan({ text: "x", pos: 0, policies: ["pin-bias", "exact-pincount"] }, registry.policyIds, DEFAULTS))
      .toEqual({ mode: "policies", policies: ["pin-bias", "exact-pincount"], policy: "pin-bias", kernels: DEFAULT_COMPARE_KERNELS });
  });

  it("gives kernels mode a registered policy and some eras whatever the link says", () => {
    const p = linkPlan({ text: "x", pos: 0, policies: ["nope"], mode: "kernels", policy: "nope", kernels: [] }, registry.policyIds, DEFAULTS);
    expect(p).toEqual({ mode: "kernels", policies: DEFAULTS, policy: DEFAULTS[0], kernels: DEFAULT_COMPARE_KERNELS });
  });

  it("checks only registered policies, else the defaults", () => {
    expect(linkPolicies(["nope", "pin-bias"], registry.policyIds, DEFAULTS)).toEqual(["pin-bias"]);
    expect(linkPolicies(["nope"], registry.policyIds, DEFAULTS)).toEqual(DEFAULTS);
    expect(linkPolicies([], registry.policyIds, DEFAULTS)).toEqual(DEFAULTS);
  });
});
