/**
 * The JSON Schema editors get (`pinlab schema`) holds what `pinlab check` holds, as far as JSON
 * Schema can say it: every library scenario validates against it (with a real draft 2020-12
 * validator, ajv), and the mmap cross-field rules (exactly one of private or shared; a file unless
 * anonymous or pfnmap; no file when anonymous; (2.0) addr or after, fixed only with one, align
 * only for an address the kernel chooses) are in it, so an editor marks them too.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { pluginView, scenarioJsonSchema } from "../index.js";
import { testContainer } from "../testing/index.js";

const validate = new Ajv2020({ strict: false, allErrors: true }).compile(scenarioJsonSchema(pluginView(testContainer())));
const scenario = (mmap: Record<string, unknown>) => ({
  name: "t", machine: { memory: "16MiB" }, processes: ["p1"], files: [{ name: "f", fs: "ext4", size: "16KiB" }],
  steps: [{ op: "mmap", proc: "p1", length: "4KiB", prot: ["read"], ...mmap }],
});

describe("the scenario JSON Schema", () => {
  it("accepts the library's scenarios that use no device (the test container registers no device and only its own policy)", () => {
    const dir = join(import.meta.dirname, "../../../../scenarios");
    const files = readdirSync(dir).filter((f) => f.endsWith(".yaml"));
    let checked = 0;
    for (const f of files) {
      const { policy: _p, policy_options: _o, ...doc } = parse(readFileSync(join(dir, f), "utf8")) as { devices?: unknown[]; policy?: unknown; policy_options?: unknown };
      if ((doc.devices ?? []).length > 0) continue;
      expect(validate(doc), `${f}: ${JSON.stringify(validate.errors?.slice(0, 3))}`).toBe(true);
      checked++;
    }
    expect(checked).toBeGreaterThan(0);
    // The whole library: 4 s on an idle machine, 15 s on a shared one.
  }, 30_000);

  it.each([
    ["private and shared", { flags: ["private", "shared", "anonymous"] }],
    ["neither private nor shared", { flags: ["anonymous"] }],
    ["an anonymous mapping with a file", { flags: ["private", "anonymous"], file: "f" }],
    ["a file mapping without a file", { flags: ["shared"] }],
    ["(2.0) both addr and after", { flags: ["private", "anonymous"], addr: 4096, after: "a" }],
    ["(2.0) fixed without addr or after", { flags: ["private", "anonymous"], fixed: true }],
    ["(2.0) align with a fixed addr", { flags: ["private", "anonymous"], addr: 4096, align: "2MiB" }],
    ["(2.0) align with after, fixed: noreplace", { flags: ["private", "anonymous"], after: "a", fixed: "noreplace", align: "2MiB" }],
    ["(2.0) fixed: replace", { flags: ["private", "anonymous"], addr: 4096, fixed: "replace" }],
  ])("refuses an mmap step with %s, as pinlab check does", (_what, mmap) => {
    expect(validate(scenario(mmap))).toBe(false);
  });

  it.each([
    ["private anonymous", { flags: ["private", "anonymous"] }],
    ["shared file", { flags: ["shared"], file: "f" }],
    ["pfnmap without a file", { flags: ["shared", "pfnmap"] }],
    ["(2.0) placed after a mapping with MAP_FIXED", { flags: ["private", "anonymous"], after: "a", fixed: true }],
    ["(2.0) aligned", { flags: ["private", "anonymous"], align: "2MiB" }],
    ["(2.0) an aligned hint", { flags: ["private", "anonymous"], addr: 4096, fixed: false, align: "2MiB" }],
  ])("accepts an mmap step that is %s", (_what, mmap) => {
    expect(validate(scenario(mmap)), JSON.stringify(validate.errors)).toBe(true);
  });
});

describe("(2.0) mremap steps in the JSON Schema", () => {
  const withMremap = (over: Record<string, unknown>) => ({
    name: "t", machine: { memory: "16MiB" }, processes: ["p1"],
    steps: [{ op: "mremap", proc: "p1", addr: 65536, old_length: "4KiB", new_length: "8KiB", ...over }],
  });

  it.each([
    ["both new_addr and after", { flags: ["maymove", "fixed"], new_addr: 1048576, after: "a" }],
    ["new_addr without fixed or dontunmap", { flags: ["maymove"], new_addr: 1048576 }],
    ["fixed without new_addr or after", { flags: ["maymove", "fixed"] }],
    ["an unknown flag", { flags: ["populate"] }],
  ])("refuses %s, as pinlab check does", (_what, over) => {
    expect(validate(withMremap(over))).toBe(false);
  });

  it.each([
    ["a grow without flags", {}],
    ["a move to new_addr", { flags: ["maymove", "fixed"], new_addr: 1048576 }],
    ["a move after a mapping", { flags: ["maymove", "fixed"], after: "a" }],
    ["dontunmap with a hint", { flags: ["maymove", "dontunmap"], new_addr: 1048576 }],
  ])("accepts %s", (_what, over) => {
    expect(validate(withMremap(over)), JSON.stringify(validate.errors)).toBe(true);
  });
});

describe("machine.faults in the JSON Schema", () => {
  const withFaults = (faults: unknown) => ({ name: "t", machine: { memory: "16MiB", faults }, steps: [] });

  it.each([
    ["every", { alloc: { every: 2 } }],
    ["at with times", { migrate: { at: [1, 3], times: 1 } }],
    ["probability at every point", { alloc: { probability: 0.5 }, migrate: { probability: 1 }, writeback: { probability: 0.1 }, dma: { probability: 0.2 } }],
  ])("accepts %s", (_what, faults) => {
    expect(validate(withFaults(faults)), JSON.stringify(validate.errors)).toBe(true);
  });

  it.each([
    ["two forms", { alloc: { every: 2, at: [1] } }],
    ["no form", { alloc: { times: 1 } }],
    ["an unknown point", { disk: { every: 1 } }],
    ["an unknown field", { alloc: { every: 1, tims: 1 } }],
    ["a zero interval", { alloc: { every: 0 } }],
    ["a probability above 1", { dma: { probability: 1.5 } }],
  ])("refuses %s, as pinlab check does", (_what, faults) => {
    expect(validate(withFaults(faults))).toBe(false);
  });
});

describe("the scenario JSON Schema: (issue 21) concurrent blocks", () => {
  const withBlock = (block: Record<string, unknown>) => ({
    name: "t", machine: { memory: "16MiB" }, processes: ["p1"],
    steps: [{ op: "mmap", proc: "p1", as: "a", length: "8KiB", prot: ["read"], flags: ["private", "anonymous"] }, { op: "concurrent", ...block }],
  });
  const touch = { op: "touch", proc: "p1", addr: "a", length: "4KiB" };
  it("accepts threads of ordinary steps, with an order", () => {
    expect(validate(withBlock({ threads: { x: [touch], y: [touch, touch] }, order: ["y", "x", "y"] })), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
  });
  it.each([
    ["a nested block", { threads: { x: [touch], y: [{ op: "concurrent", threads: { z: [touch] } }] } }],
    ["an empty thread", { threads: { x: [touch], y: [] } }],
    ["an unknown field", { threads: { x: [touch], y: [touch] }, expect: { ok: true } }],
    ["a bad thread name", { threads: { x: [touch], "9y": [touch] } }],
  ])("refuses %s", (_what, block) => {
    expect(validate(withBlock(block))).toBe(false);
  });
});
