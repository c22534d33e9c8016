import { describe, expect, it } from "vitest";
import { rewriteImports, UnresolvedImportError } from "./plugin-imports.js";

const urls: Record<string, string> = { "@pinlab/core": "blob:core", zod: "blob:zod" };
const urlOf = (s: string) => urls[s];
const provided = Object.keys(urls);

describe("rewriteImports", () => {
  it("points static imports, re-exports and dynamic imports at the playground's copies", async () => {
    const src = [
      'import { defineDevice } from "@pinlab/core";',
      "import { z } from 'zod';",
      'export { PAGE_SIZE } from "@pinlab/core";',
      'const later = () => import("zod");',
      "const here = import.meta.url;",
    ].join("\n");
    expect(await rewriteImports(src, urlOf, provided)).toBe([
      'import { defineDevice } from "blob:core";',
      "import { z } from 'blob:zod';",
      'export { PAGE_SIZE } from "blob:core";',
      'const later = () => import("blob:zod");',
      "const here = import.meta.url;",
    ].join("\n"));
  });

  it("names an import it cannot provide", async () => {
    await expect(rewriteImports('import x from "left-pad";', urlOf, provided)).rejects.toThrow(/imports "left-pad", which the playground cannot provide \(it provides @pinlab\/core, zod\)/);
    await expect(rewriteImports('import "./helper.mjs";', urlOf, provided)).rejects.toBeInstanceOf(UnresolvedImportError);
    await expect(rewriteImports("const m = import(name);", urlOf, provided)).rejects.toThrow(/computed module name/);
  });
});
