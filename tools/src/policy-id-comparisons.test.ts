import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { checkPolicyIdComparisons, knownPolicyIds } from "./policy-id-comparisons.js";
import { fixtureTrees } from "./test-support/fixture-tree.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

describe("policy-id comparisons (capabilities, not identities)", () => {
  it("finds the four policies' ids in packages/policies", () => {
    expect(knownPolicyIds(root)).toEqual(["exact-pincount", "legacy-get", "pin-bias", "vaddr-pin"]);
  });

  // It parses every source file of the workspace: seconds on a loaded 2-core machine.
  it("no code outside packages/policies compares a policy id", () => {
    expect(checkPolicyIdComparisons(root).map((f) => f.message)).toEqual([]);
  }, 60_000);

  describe("on a fixture", () => {
    let dir = "";
    const tree = fixtureTrees("pinlab-policy-ids-");
    const write = tree.write;
    const fixture = () => {
      dir = tree.fresh();
      write("packages/policies/src/alpha/descriptor.ts", 'export const alpha = definePinPolicy({ meta: { id: "alpha", summary: "" }, create });\nif (policy.id === "alpha") go();\n');
      write("packages/policies/src/alpha/alpha.test.ts", 'export const t = { meta: { id: "not-a-policy" } };\n');
      write("packages/bench/src/clean.ts", [
        "export const DEFAULT = 'alpha';",
        "const cell = cells.find((c) => c.policy === target && c.workload === \"alpha-workload\");",
        "const opts = policyOptions[\"alpha\"];",
        "if (caps.filePins) useVaddrPin();",
        "",
      ].join("\n"));
      write("packages/bench/src/clean.test.ts", 'expect(c.policy === "alpha").toBe(true);\n');
    };

    it("reads the ids from descriptors' meta, not from tests", () => {
      fixture();
      expect(knownPolicyIds(dir)).toEqual(["alpha"]);
    });

    it("stays quiet on selections, option tables, capabilities, tests and the policies package itself", () => {
      fixture();
      expect(checkPolicyIdComparisons(dir)).toEqual([]);
    });

    it("fires on a device that picks its behaviour by policyId, whatever the id", () => {
      fixture();
      write("packages/devices/src/x/x-device.ts", 'export function pinCall(ctx: Ctx) {\n  return ctx.policyId === "x" ? "vaddr_pin_pages" : "pin_user_pages_fast";\n}\n');
      const found = checkPolicyIdComparisons(dir);
      expect(found.map((f) => [f.file, f.line])).toEqual([["packages/devices/src/x/x-device.ts", 2]]);
      expect(found[0].message).toMatch(/x-device\.ts:2: `ctx\.policyId === "x"` decides by a policy id: declare what the code needs in the policies' meta\.capabilities/);
    });

    it("fires on every form of deciding by a registered id: ===, !==, policy.id, case, includes, a table indexed by the id", () => {
      fixture();
      write("apps/playground/src/pick.ts", [
        'if (cell.policy === "alpha") a();',
        'if ("alpha" !== name) b();',
        'if (k.policy.id != "beta") c();',
        'switch (p) { case "alpha": d(); }',
        'const e = known.includes("alpha");',
        "const f = EXTRA_ATOMICS[k.policy.id] ?? 0;",
        "",
      ].join("\n"));
      expect(checkPolicyIdComparisons(dir).map((f) => f.line)).toEqual([1, 2, 3, 4, 5, 6]);
    });
  });
});
