import { describe, expect, it } from "vitest";
import * as core from "@pinlab/core";
import { SHARED_KEY, SHARED_SPECIFIERS, sharedModules, shimSource } from "./shared-modules.js";

describe("shared modules", () => {
  it("offers the playground's own core, policies, devices and zod", () => {
    const modules = sharedModules();
    expect(Object.keys(modules)).toEqual([...SHARED_SPECIFIERS]);
    expect(modules["@pinlab/core"]).toBe(core);
  });

  it("writes a shim re-exporting every named export and the default", () => {
    const src = shimSource("x", { a: 1, $b: 2, catch: 5, default: 3, "not-a-name": 4 });
    expect(src).toContain(`globalThis[Symbol.for("${SHARED_KEY}")]["x"]`);
    expect(src).toContain("const { a: _0, $b: _1, catch: _2 } = m;");
    expect(src).toContain("export { _0 as a, _1 as $b, _2 as catch };");
    expect(src).toContain("export default m.default;");
    expect(src).not.toContain("not-a-name");
  });

  it("re-exports every export of core", () => {
    const src = shimSource("@pinlab/core", sharedModules()["@pinlab/core"]);
    for (const name of ["defineDevice", "registerDevice", "PAGE_SIZE", "registerPluginExports"]) expect(src).toMatch(new RegExp(` as ${name}[,} ]`));
  });
});
