import { PluginRegistrationError, createKernel, listPolicies, pluginSource } from "@pinlab/core";
import { container } from "tsyringe";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { POLICIES_PACKAGE, policies, register } from "./index.js";
import { POLICY_IDS, policyContainer } from "./test-support/lab.js";

describe("the policy registry", () => {
  it("maps each id to the descriptor that carries it", () => {
    expect(Object.keys(policies)).toEqual(["legacy-get", "pin-bias", "vaddr-pin", "exact-pincount"]);
    for (const [id, d] of Object.entries(policies)) expect(d.meta.id).toBe(id);
  });

  it("registers nothing on import and everything on register(), under the package's name", () => {
    const c = container.createChildContainer();
    expect(listPolicies(c).map((d) => d.meta.id)).toEqual([]);
    register(c);
    expect(listPolicies(c).map((d) => d.meta.id).sort()).toEqual([...POLICY_IDS].sort());
    for (const d of listPolicies(c)) expect(pluginSource(d)).toBe(POLICIES_PACKAGE);
  });

  it("refuses a second registration loudly, naming both sources", () => {
    const c = policyContainer();
    expect(() => register(c)).toThrow(PluginRegistrationError);
    expect(() => register(c)).toThrow(/claimed twice: by @pinlab\/policies and by @pinlab\/policies/);
  });

  it.each(POLICY_IDS)("%s: metadata is complete and its option defaults build a kernel", (id) => {
    const d = policies[id];
    expect(d.meta.summary.length).toBeGreaterThan(20);
    expect(d.meta.kernel.length).toBeGreaterThan(5);
    // Several sentences: what it counts, what it refuses, known hazards.
    expect((d.meta.description ?? "").split(/\.\s/).length).toBeGreaterThanOrEqual(4);
    expect(d.meta.options.safeParse({}).success).toBe(true);
    expect(d.meta.options.safeParse({ "not-an-option": 1 }).success).toBe(false);
    // Every option says what it selects (pinlab list and the playground show it).
    const props = (z.toJSONSchema(d.meta.options, { io: "input" }) as { properties?: Record<string, { description?: string }> }).properties ?? {};
    for (const [name, p] of Object.entries(props)) expect(p.description ?? "", `${id}.${name}`).toMatch(/\w.{20,}/);
    const inst = createKernel({ machine: { memory: "4MiB" }, policy: id }, { container: policyContainer() });
    expect(inst.kernel.policy.id).toBe(id);
    expect(inst.check()).toEqual([]);
  });
});
