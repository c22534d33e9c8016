import "reflect-metadata";
import { listPolicies } from "@pinlab/core";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { FAKE_PLUGINS } from "../test-support/fake-plugins.js";
import { importable, pluginContainer } from "./load-plugins.js";

// Inside the package, so the modules resolve @pinlab/core as a user's plugin in the workspace would.
const out = fileURLToPath(new URL("../../test-output", import.meta.url));
mkdirSync(out, { recursive: true });
const dir = mkdtempSync(join(out, "plugins-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("plugins from module specifiers", () => {
  it("registers what a module's register(container) contributes", async () => {
    const c = await pluginContainer([FAKE_PLUGINS]);
    expect(listPolicies(c).map((p) => p.meta.id)).toEqual(["fake-get", "fake-bias", "test-exact"]);
    expect(importable("/a/b.mjs")).toBe("file:///a/b.mjs");
    expect(importable("@pinlab/policies")).toBe("@pinlab/policies");
  });

  it("takes descriptor exports too, and names the module and the problem when it cannot", async () => {
    const ok = join(dir, "one.mjs");
    writeFileSync(ok, `import { testPolicy } from "@pinlab/core/testing";\nexport default testPolicy;\n`);
    expect(listPolicies(await pluginContainer([ok])).map((p) => p.meta.id)).toEqual(["test-exact"]);
    const empty = join(dir, "empty.mjs");
    writeFileSync(empty, "export const x = 1;\n");
    await expect(pluginContainer([empty])).rejects.toThrow(/exports nothing pinlab can use/);
    const notDesc = join(dir, "bad.mjs");
    writeFileSync(notDesc, "export default { hello: 1 };\n");
    await expect(pluginContainer([notDesc])).rejects.toThrow(/its default export is not a policy or device descriptor/);
    await expect(pluginContainer([FAKE_PLUGINS, FAKE_PLUGINS])).rejects.toThrow(/claimed twice/);
  });
});
