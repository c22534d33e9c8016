import { createRequire, type ResolveHookContext } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { packageOfSpecifier, resolve as resolveHook, initialize } from "./hooks.js";
import { CORE_SHARED_PACKAGES, packageNameOf, pluginResolveAnchors } from "./register.js";

const here = import.meta.url;
const require = createRequire(here);
const coreEntry = require.resolve("@pinlab/core");

describe("plugin resolution hooks", () => {
  it("name the package of a bare specifier, and nothing for paths, URLs and builtins", () => {
    const rows: [string, string | undefined][] = [
      ["@pinlab/core", "@pinlab/core"],
      ["@pinlab/core/testing", "@pinlab/core"],
      ["zod", "zod"],
      ["zod/v4", "zod"],
      ["zod-extras", "zod-extras"],
      ["./zod.js", undefined],
      ["../x/y.mjs", undefined],
      ["/abs/zod.mjs", undefined],
      ["file:///tmp/zod.mjs", undefined],
      ["node:fs", undefined],
      ["data:text/javascript,1", undefined],
      ["#internal", undefined],
    ];
    for (const [spec, pkg] of rows) expect([spec, packageOfSpecifier(spec)]).toEqual([spec, pkg]);
  });

  it("resolve an anchored package from its anchor, whoever imports it, and pass everything else through unchanged", async () => {
    await initialize({ anchors: { zod: "file:///pinlab/core/dist/index.js" } });
    const seen: unknown[] = [];
    const next = (specifier: string, context?: object) => {
      seen.push([specifier, context]);
      return { url: "file:///resolved.js", shortCircuit: true };
    };
    const ctx: ResolveHookContext = { conditions: ["node", "import"], importAttributes: {}, importAssertions: {}, parentURL: "file:///tmp/x/plugin.mjs" };
    await resolveHook("zod/v4", ctx, next);
    await resolveHook("./local.mjs", ctx, next);
    await resolveHook("zod-extras", ctx, next);
    expect(seen).toEqual([
      ["zod/v4", { ...ctx, parentURL: "file:///pinlab/core/dist/index.js" }],
      ["./local.mjs", ctx],
      ["zod-extras", ctx],
    ]);
  });

  it("anchor pinlab's packages at the importer, core's zod, tsyringe and reflect-metadata at core, and a resolved pinlab module at itself", () => {
    const devicesEntry = join(dirname(fileURLToPath(here)), "../../../devices/dist/index.js");
    const a = pluginResolveAnchors(here, ["@pinlab/core", "@pinlab/bench", "@pinlab/no-such-package"], ["/tmp/elsewhere/plugin.mjs", devicesEntry]);
    expect(a["@pinlab/core"]).toBe(here);
    expect(a["@pinlab/bench"]).toBe(here);
    expect(a["@pinlab/no-such-package"]).toBeUndefined();
    for (const p of CORE_SHARED_PACKAGES) expect(a[p]).toBe(pathToFileURL(coreEntry).href);
    expect(a["@pinlab/devices"]).toBe(pathToFileURL(devicesEntry).href);
    expect(Object.keys(a).sort()).toEqual(["@pinlab/bench", "@pinlab/core", "@pinlab/devices", ...CORE_SHARED_PACKAGES].sort());
  });

  it("find the package a module file belongs to", () => {
    expect(packageNameOf(coreEntry)).toBe("@pinlab/core");
    expect(packageNameOf(pathToFileURL(coreEntry).href)).toBe("@pinlab/core");
    expect(packageNameOf(fileURLToPath(here))).toBe("@pinlab/bench");
    expect(packageNameOf("relative/plugin.mjs")).toBeUndefined();
  });
});
