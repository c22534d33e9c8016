import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { MAX_CORE_FILE_LINES, checkCoreFileLength, lineCount } from "./core-file-length.js";
import { fixtureTrees } from "./test-support/fixture-tree.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

describe("core file length", () => {
  it(`no non-test file of packages/core/src has more than ${MAX_CORE_FILE_LINES} lines`, () => {
    expect(checkCoreFileLength(root).map((f) => f.message)).toEqual([]);
  });

  it("counts lines as an editor does", () => {
    expect([lineCount(""), lineCount("a"), lineCount("a\n"), lineCount("a\nb"), lineCount("a\n\n")]).toEqual([0, 1, 1, 2, 2]);
  });

  describe("on a fixture", () => {
    const tree = fixtureTrees("pinlab-lines-");
    const write = (path: string, lines: number) => tree.write(path, "export const x = 1;\n".repeat(lines));

    it("fires on a planted file one line too long, and only on it", () => {
      const dir = tree.fresh();
      write("packages/core/src/mm/ok.ts", MAX_CORE_FILE_LINES);
      write("packages/core/src/mm/long.ts", MAX_CORE_FILE_LINES + 1);
      write("packages/core/src/mm/long.test.ts", 2 * MAX_CORE_FILE_LINES);
      write("packages/bench/src/long.ts", 2 * MAX_CORE_FILE_LINES);
      const found = checkCoreFileLength(dir);
      expect(found.map((f) => f.file)).toEqual(["packages/core/src/mm/long.ts"]);
      expect(found[0].message).toBe(`packages/core/src/mm/long.ts has ${MAX_CORE_FILE_LINES + 1} lines, more than ${MAX_CORE_FILE_LINES}: it holds more than one concept; split it (tools/src/core-file-length.ts)`);
    });
  });
});
