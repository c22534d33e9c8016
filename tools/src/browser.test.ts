import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { browserEnv, bundledChromiumVersion, extractBundledChromium, resolveChromium, SYSTEM_CHROMIUM_PATHS } from "./browser.mjs";

const never = () => Promise.reject(new Error("extractBundled must not be called"));

describe("resolveChromium", () => {
  it("takes the system chromium when one exists", async () => {
    const r = await resolveChromium({ env: {}, exists: (p) => p === "/usr/bin/chromium", extractBundled: never });
    expect(r).toEqual({ executablePath: "/usr/bin/chromium", source: "system" });
  });

  it("tries the system paths in order", async () => {
    const r = await resolveChromium({ env: {}, exists: (p) => p === SYSTEM_CHROMIUM_PATHS[1], extractBundled: never });
    expect(r).toEqual({ executablePath: SYSTEM_CHROMIUM_PATHS[1], source: "system" });
  });

  it("falls back to the npm package's build when no system chromium exists", async () => {
    const r = await resolveChromium({ env: {}, exists: () => false, extractBundled: () => Promise.resolve("/cache/147.0.0/chromium") });
    expect(r).toEqual({ executablePath: "/cache/147.0.0/chromium", source: "bundled" });
  });

  it("CHROMIUM_PATH wins over the system chromium, and must exist", async () => {
    const exists = (p: string) => p === "/opt/chrome" || p === "/usr/bin/chromium";
    expect(await resolveChromium({ env: { CHROMIUM_PATH: "/opt/chrome" }, exists, extractBundled: never })).toEqual({ executablePath: "/opt/chrome", source: "env" });
    await expect(resolveChromium({ env: { CHROMIUM_PATH: "/nope" }, exists, extractBundled: never })).rejects.toThrow(/CHROMIUM_PATH=\/nope: no such file/);
  });

  it("CHROMIUM_PATH=bundled skips the system chromium", async () => {
    const r = await resolveChromium({ env: { CHROMIUM_PATH: "bundled" }, exists: () => true, extractBundled: () => Promise.resolve("/b/chromium") });
    expect(r.source).toBe("bundled");
  });
});

describe("browserEnv", () => {
  it("fixes the locale the browser runs in, keeping the rest", () => {
    expect(browserEnv({ LANG: "C.UTF-8", LC_ALL: "C", HOME: "/root" })).toEqual({ LANG: "en_US.UTF-8", HOME: "/root" });
  });
});

describe("extractBundledChromium", () => {
  const root = mkdtempSync(join(tmpdir(), "pinlab-chromium-test-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("extracts the npm package's chromium once, into its version folder, and leaves TMPDIR as it was", async () => {
    const version = bundledChromiumVersion();
    expect(version).toMatch(/^\d+\.\d+\.\d+$/);
    const before = process.env.TMPDIR;
    // Two callers at once share one extraction.
    const [a, b] = await Promise.all([extractBundledChromium(root), extractBundledChromium(root)]);
    expect(a).toBe(join(root, version!, "chromium"));
    expect(b).toBe(a);
    expect(process.env.TMPDIR).toBe(before);
    expect(statSync(a).mode & 0o111).not.toBe(0);
    expect(readdirSync(root).filter((n) => n.startsWith(".staging"))).toEqual([]);
    // A second call finds it in place.
    expect(await extractBundledChromium(root)).toBe(a);
    expect(existsSync(join(root, version!, "chromium"))).toBe(true);
  }, 120_000);
});
