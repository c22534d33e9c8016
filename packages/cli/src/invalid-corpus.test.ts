/**
 * The malformed-scenario corpus: every file under scenarios/invalid/ must be refused with exit
 * status 2 and ONE message naming the file, line:column, step and field it states in its
 * `# expect:` header (or its `.expect` sidecar for JSON).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "./main.js";
import { captureIo, REPO_ROOT } from "./test-support/capture-io.js";

const dir = join(REPO_ROOT, "scenarios", "invalid");
const files = readdirSync(dir).filter((f) => /\.(ya?ml|json)$/.test(f)).sort();

function expectation(file: string): RegExp {
  const side = join(dir, `${file}.expect`);
  const text = existsSync(side) ? readFileSync(side, "utf8") : (/^# expect: (.*)$/m.exec(readFileSync(join(dir, file), "utf8"))?.[1] ?? "");
  if (text.trim() === "") throw new Error(`${file} states no expected error`);
  return new RegExp(text.trim());
}

describe("malformed scenarios", () => {
  it("are at least 25", () => {
    expect(files.length).toBeGreaterThanOrEqual(25);
  });

  it.each(files)("%s is refused with exit 2 and a message naming the place", async (file) => {
    const io = captureIo();
    const code = await main(["check", join("scenarios", "invalid", file)], io);
    expect(code).toBe(2);
    expect(io.stderr).toMatch(expectation(file));
    expect(io.stderr).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/); // no stack trace
  });

  it("run refuses them too, before running anything", async () => {
    const io = captureIo();
    const code = await main(["run", join("scenarios", "invalid", files[0])], io);
    expect(code).toBe(2);
    expect(io.stdout).toBe("");
  });
});
