import { readdirSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { CORE_LAYERS, checkCoreLayers, checkImportCycles, coreFolder, type CoreLayer } from "./core-layers.js";
import { fixtureTrees } from "./test-support/fixture-tree.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

describe("core's layers and import circles", () => {
  it("every import in packages/core/src goes down the declared layer order", () => {
    expect(checkCoreLayers(root).map((v) => v.message)).toEqual([]);
  });

  it("no import circle exists in packages/core/src, type-only imports included", () => {
    expect(checkImportCycles(root).map((v) => v.message)).toEqual([]);
  });

  it("declares every folder of packages/core/src once", () => {
    const src = join(root, "packages/core/src");
    const folders = readdirSync(src)
      .filter((n) => statSync(join(src, n)).isDirectory() || (/\.ts$/.test(n) && !/\.test\.ts$/.test(n)))
      .map((n) => coreFolder(n));
    const declared = CORE_LAYERS.flatMap((l) => l.folders);
    expect(new Set(declared).size).toBe(declared.length);
    expect([...folders].sort()).toEqual([...declared].sort());
  });

  describe("on a fixture", () => {
    let dir = "";
    const tree = fixtureTrees("pinlab-layers-");
    const write = tree.write;
    const layers: CoreLayer[] = [
      { folders: ["sim"], what: "the base" },
      { folders: ["mm", "events"], what: "the middle" },
      { folders: ["gup"], what: "the top" },
    ];
    /** A clean fixture: imports only go down, type-only and re-exports included. */
    const clean = () => {
      dir = tree.fresh();
      write("packages/core/src/sim/units.ts", "export const PAGE_SIZE = 4096;\n");
      write("packages/core/src/mm/vma.ts", 'import { PAGE_SIZE } from "../sim/units.js";\nexport class Vma { size = PAGE_SIZE; }\n');
      write("packages/core/src/mm/fault.ts", 'import type { Vma } from "./vma.js";\nexport function fault(v: Vma) { return v; }\n');
      write("packages/core/src/events/bus.ts", 'export * from "../sim/units.js";\n');
      write("packages/core/src/gup/gup.ts", 'import { fault } from "../mm/fault.js";\nimport type { Vma } from "../mm/vma.js";\nexport const g = (v: Vma) => fault(v);\n');
      write("packages/core/src/gup/gup.test.ts", 'import { g } from "./gup.js";\nimport { Vma } from "../mm/vma.js";\ng(new Vma());\n');
    };

    it("stays quiet on a clean fixture", () => {
      clean();
      expect(checkCoreLayers(dir, layers)).toEqual([]);
      expect(checkImportCycles(dir)).toEqual([]);
    });

    it("names an upward import, type-only included, with file, line and specifier", () => {
      clean();
      write("packages/core/src/mm/vma.ts", 'import { PAGE_SIZE } from "../sim/units.js";\nimport type { G } from "../gup/types.js";\nexport class Vma { size = PAGE_SIZE; g?: G; }\n');
      write("packages/core/src/gup/types.ts", "export type G = number;\n");
      const v = checkCoreLayers(dir, layers);
      expect(v).toHaveLength(1);
      expect(v[0]).toMatchObject({ file: "packages/core/src/mm/vma.ts", line: 2, specifier: "../gup/types.js" });
      expect(v[0].message).toContain('packages/core/src/mm/vma.ts:2 imports "../gup/types.js": mm (layer 2: the middle) may not import gup (layer 3: the top)');
    });

    it("names an import between two folders of one layer, and a folder the order does not declare", () => {
      clean();
      write("packages/core/src/events/bus.ts", 'export * from "../sim/units.js";\nexport { fault } from "../mm/fault.js";\n');
      write("packages/core/src/extra/x.ts", "export const x = 1;\n");
      const msgs = checkCoreLayers(dir, layers).map((x) => x.message);
      expect(msgs).toEqual(expect.arrayContaining([
        expect.stringContaining('packages/core/src/events/bus.ts:2 imports "../mm/fault.js": events (layer 2: the middle) may not import mm (layer 2: the middle) (folders of one layer are independent'),
        expect.stringContaining('core folder "extra", which the layer order does not declare'),
      ]));
    });

    it("lets test files import any layer", () => {
      clean();
      write("packages/core/src/sim/units.test.ts", 'import { g } from "../gup/gup.js";\ng;\n');
      expect(checkCoreLayers(dir, layers)).toEqual([]);
    });

    it("names an import circle, type-only, with its files and each import closing it", () => {
      clean();
      write("packages/core/src/mm/vma.ts", 'import { PAGE_SIZE } from "../sim/units.js";\nimport type { Mm } from "./mm.js";\nexport class Vma { size = PAGE_SIZE; mm?: Mm; }\n');
      write("packages/core/src/mm/mm.ts", 'import type { Vma } from "./vma.js";\nexport interface Mm { vmas: Vma[] }\n');
      const v = checkImportCycles(dir);
      expect(v).toHaveLength(1);
      expect(v[0].message).toContain("import circle of 2 file(s) (packages/core/src/mm/mm.ts, packages/core/src/mm/vma.ts)");
      expect(v[0].message).toContain('packages/core/src/mm/mm.ts:1 imports "./vma.js" -> packages/core/src/mm/vma.ts:2 imports "./mm.js"');
      expect(v[0]).toMatchObject({ file: "packages/core/src/mm/mm.ts", line: 1, specifier: "./vma.js" });
    });

    it("finds a longer circle across folders and a file importing itself", () => {
      clean();
      write("packages/core/src/sim/units.ts", 'import "../gup/gup.js";\nexport const PAGE_SIZE = 4096;\n');
      write("packages/core/src/events/self.ts", 'export * from "./self.js";\n');
      const msgs = checkImportCycles(dir).map((x) => x.message);
      expect(msgs).toHaveLength(2);
      expect(msgs).toEqual(expect.arrayContaining([
        expect.stringContaining("import circle of 4 file(s)"),
        expect.stringContaining('import circle of 1 file(s) (packages/core/src/events/self.ts): packages/core/src/events/self.ts:1 imports "./self.js"'),
      ]));
    });
  });
});
