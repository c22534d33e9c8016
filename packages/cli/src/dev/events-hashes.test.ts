/**
 * The behaviour fingerprint holds: every library scenario under every policy gives the eventsHash
 * committed in library-events-hashes.json. A change that alters one on purpose updates the file
 * (`npm run build && npm run hashes -- --update`) in the same commit, so the diff names the runs.
 */
import { readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { describe, expect, it } from "vitest";
import { describeDiff, diffHashes, libraryEventsHashes, libraryFiles, type EventsHashes } from "./events-hashes.js";
import { REPO_ROOT } from "../test-support/capture-io.js";
import { pluginLibraries } from "./plugin-libraries.js";

const committed = JSON.parse(readFileSync(join(REPO_ROOT, "packages", "cli", "src", "dev", "library-events-hashes.json"), "utf8")) as EventsHashes;

describe("the library's eventsHash fingerprint", () => {
  it("matches the committed one for every scenario x policy", async () => {
    const dir = join(REPO_ROOT, "scenarios");
    const now = await libraryEventsHashes(dir);
    const files = [...libraryFiles(dir), ...pluginLibraries(dir).flatMap((l) => l.files.map((f) => `${l.name}/${basename(f)}`))];
    expect(Object.keys(now).length).toBe(files.length * 4);
    expect([...new Set(Object.keys(now).map((k) => k.split(" ")[0]))].sort()).toEqual(files.sort());
    expect(Object.values(now).every((h) => /^[0-9a-f]{64}$/.test(h))).toBe(true);
    expect(describeDiff(diffHashes(committed, now))).toEqual([]);
  });

  it("names changed, added and removed runs", () => {
    const d = diffHashes({ "a.yaml p": "1".repeat(64), "b.yaml p": "2".repeat(64) }, { "a.yaml p": "3".repeat(64), "c.yaml p": "4".repeat(64) });
    expect(describeDiff(d)).toEqual(["changed  a.yaml p: 111111111111 -> 333333333333", "added    c.yaml p", "removed  b.yaml p"]);
  });
});
