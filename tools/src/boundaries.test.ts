import { resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { checkBoundaries, RULES } from "./boundaries.js";
import { fixtureTrees } from "./test-support/fixture-tree.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

describe("module boundaries", () => {
  it("hold in this workspace", () => {
    const v = checkBoundaries(root);
    expect(v.map((x) => x.message)).toEqual([]);
  });

  describe("on a fixture workspace", () => {
    let dir = "";
    const tree = fixtureTrees("pinlab-bounds-");
    const write = tree.write;

    it("names an import from core into policies", () => {
      dir = tree.fresh();
      write("packages/core/package.json", "{}");
      write("packages/core/src/kernel.ts", 'import { x } from "./ok.js";\nimport { pinBias } from "@pinlab/policies";\n');
      const v = checkBoundaries(dir);
      expect(v).toHaveLength(1);
      expect(v[0].message).toContain('packages/core/src/kernel.ts:2 imports "@pinlab/policies"');
      expect(v[0].message).toContain("@pinlab/core may not import @pinlab/policies");
    });

    it("lets the bench's browser tests import the workspace tools, and nothing else in the bench", () => {
      dir = tree.fresh();
      write("packages/bench/package.json", JSON.stringify({ devDependencies: { "@pinlab/workspace-tools": "0.1.0" } }));
      write("packages/bench/e2e/report.test.mjs", 'import { launchChromium } from "@pinlab/workspace-tools/browser";\n');
      write("packages/bench/src/report/html.ts", 'import { launchChromium } from "@pinlab/workspace-tools/browser";\n');
      const v = checkBoundaries(dir);
      expect(v.map((x) => x.file)).toEqual(["packages/bench/src/report/html.ts"]);
      expect(v[0].message).toContain("@pinlab/bench may not import @pinlab/workspace-tools");
    });

    it("names dynamic imports, imports of cli, undeclared dependencies and escaping relative imports", () => {
      dir = tree.fresh();
      write("packages/bench/package.json", JSON.stringify({ dependencies: {} }));
      write("packages/bench/src/a.ts", 'const m = await import("@pinlab/devices");\n');
      write("packages/policies/package.json", JSON.stringify({ dependencies: {} }));
      write("packages/policies/src/b.ts", 'import "@pinlab/core";\nimport "../../core/src/index.js";\nimport "@pinlab/cli";\n');
      const msgs = checkBoundaries(dir).map((x) => x.message);
      expect(msgs).toEqual(expect.arrayContaining([
        expect.stringContaining('packages/bench/src/a.ts:1 imports "@pinlab/devices"'),
        expect.stringContaining("does not declare @pinlab/core"),
        expect.stringContaining('imports "../../core/src/index.js", which leaves packages/policies'),
        expect.stringContaining("@pinlab/policies may not import @pinlab/cli"),
      ]));
    });

    it("covers every project", () => {
      expect(RULES.map((r) => r.dir)).toEqual(expect.arrayContaining(["packages/core", "packages/policies", "packages/devices", "packages/bench", "packages/cli", "apps/playground"]));
    });
  });
});
