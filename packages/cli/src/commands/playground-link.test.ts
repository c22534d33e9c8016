/**
 * (issue 21) `pinlab explore --playground URL`: each finding's link carries, in the playground's
 * fragment format (share.ts: v=1, s = raw deflate + base64url, p, pol), the exact text of the
 * scenario written for it; a bad URL is a usage error.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inflateRawSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { UsageError } from "../io.js";
import { main } from "../main.js";
import { captureIo, REPO_ROOT } from "../test-support/capture-io.js";
import { parsePlaygroundBase, playgroundLink } from "./playground-link.js";

const dir = mkdtempSync(join(tmpdir(), "pinlab-playground-link-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What a link's fragment says, decoded as the playground decodes it. */
function decode(link: string): { base: string; v: string | null; text: string; p: string | null; pol: string | null } {
  const url = new URL(link);
  const params = new URLSearchParams(url.hash.slice(1));
  const s = params.get("s") ?? "";
  expect(s).toMatch(/^[A-Za-z0-9_-]+$/);
  url.hash = "";
  return { base: url.href, v: params.get("v"), text: inflateRawSync(Buffer.from(s, "base64url")).toString("utf8"), p: params.get("p"), pol: params.get("pol") };
}

describe("playground links", () => {
  it("carry the text, the position and the policies; the base's own fragment is dropped", () => {
    const text = "name: x # ü\nsteps: []\n";
    const link = playgroundLink(parsePlaygroundBase("http://localhost:4173/play/?a=1#old"), text, ["legacy-get"], 3);
    expect(decode(link)).toEqual({ base: "http://localhost:4173/play/?a=1", v: "1", text, p: "3", pol: "legacy-get" });
  });

  it("refuse a base that is not an absolute http(s) or file URL", () => {
    expect(() => parsePlaygroundBase("localhost:4173")).toThrow(UsageError);
    expect(() => parsePlaygroundBase("/play/")).toThrow(UsageError);
    expect(() => parsePlaygroundBase("javascript:alert(1)")).toThrow(UsageError);
  });

  it("pinlab explore --playground prints, per finding, a link to the scenario it wrote", async () => {
    const io = captureIo(dir);
    const dio = join(REPO_ROOT, "scenarios", "explore-dio-writeback.yaml");
    const code = await main(["explore", dio, "--out", join(dir, "found"), "--format", "json", "--playground", "http://127.0.0.1:4173/"], io);
    expect(code).toBe(0);
    const report = JSON.parse(io.stdout) as { findings: { policy: string; scenario: string; playground?: string }[] };
    expect(report.findings.length).toBeGreaterThan(0);
    for (const f of report.findings) {
      const link = decode(f.playground ?? "");
      expect(link).toMatchObject({ base: "http://127.0.0.1:4173/", v: "1", p: "0", pol: f.policy });
      expect(link.text).toBe(readFileSync(join(dir, f.scenario), "utf8"));
    }
    const text = captureIo(dir);
    expect(await main(["explore", dio, "--out", join(dir, "found"), "--playground", "http://127.0.0.1:4173/"], text)).toBe(0);
    expect(text.stdout.match(/^ {6}playground: http:\/\/127\.0\.0\.1:4173\/#v=1&s=/gm)).toHaveLength(report.findings.length);
    const bad = captureIo(dir);
    expect(await main(["explore", dio, "--playground", "nowhere"], bad)).toBe(2);
    expect(bad.stderr).toMatch(/--playground must be/);
  });
});
