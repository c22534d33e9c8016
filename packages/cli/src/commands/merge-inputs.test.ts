import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../main.js";
import { captureIo, REPO_ROOT } from "../test-support/capture-io.js";
import { missingShards } from "@pinlab/bench";
import { mergeInputs } from "./merge-inputs.js";

const FIX = join(REPO_ROOT, "packages/cli/src/test-support/fixtures/bench-results");
let dir = "";

/** Lay out `files` (path -> fixture shard number) under the temporary directory. */
function layout(files: Record<string, 1 | 2>): void {
  for (const [path, shard] of Object.entries(files)) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    copyFileSync(join(FIX, `shard-${shard}-of-2.json`), join(dir, path));
  }
}

const run = async (args: string[]) => {
  const io = captureIo(dir);
  const code = await main(args, io);
  return { code, out: io.stdout, err: io.stderr };
};

/** The cell ids of a merge printed as CSV. */
const csvIds = (out: string) => out.trim().split("\n").slice(1).map((l) => l.split(",").slice(0, 4).join(","));

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "pinlab-merge-inputs-"));
  // Numbered so that sorting as text (part-10 before part-2) and as numbers differ.
  layout({ "parts/part-10/results.json": 1, "parts/part-2/results.json": 2, "flat/shard-1.json": 1, "flat/shard-2.json": 2, "one/results.json": 1 });
  mkdirSync(join(dir, "empty/sub"), { recursive: true });
  writeFileSync(join(dir, "empty/sub/notes.txt"), "no results here\n");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("mergeInputs: what bench merge reads", () => {
  it("takes a directory of parts: every results.json below it, sorted with numbers as numbers", () => {
    const r = mergeInputs(["parts/"], dir);
    expect(r.inputs.map((i) => i.name)).toEqual(["parts/part-2/results.json", "parts/part-10/results.json"]);
    expect(r.inputs[0].file).toBe(join(dir, "parts/part-2/results.json"));
    expect(r.expanded).toBe(true);
  });

  it("takes a glob of directories or of files, relative or absolute", () => {
    expect(mergeInputs(["parts/part-*"], dir).inputs.map((i) => i.name)).toEqual(["parts/part-2", "parts/part-10"]);
    expect(mergeInputs(["flat/*.json"], dir).inputs.map((i) => i.name)).toEqual(["flat/shard-1.json", "flat/shard-2.json"]);
    expect(mergeInputs([`${dir}/parts/**/results.json`], "/").inputs.map((i) => i.name)).toEqual([`${dir}/parts/part-2/results.json`, `${dir}/parts/part-10/results.json`]);
    // parts/** also matches the directories and any report files: each results.json is taken once.
    expect(mergeInputs(["parts/**"], dir).inputs.map((i) => i.file)).toEqual([join(dir, "parts/part-2/results.json"), join(dir, "parts/part-10/results.json")]);
  });

  it("takes a list of result directories and results.json files as given, without searching", () => {
    const r = mergeInputs(["one", "flat/shard-2.json"], dir);
    expect(r.inputs).toEqual([{ file: join(dir, "one/results.json"), name: "one", found: false }, { file: join(dir, "flat/shard-2.json"), name: "flat/shard-2.json", found: false }]);
    expect(r.expanded).toBe(false);
    // A path that does not exist is left for the reader, which names it.
    expect(mergeInputs(["no/such"], dir).inputs).toEqual([{ file: join(dir, "no/such"), name: "no/such", found: false }]);
  });

  it("leaves --out's own results out of a search", () => {
    const r = mergeInputs(["parts"], dir, join(dir, "parts/part-10"));
    expect(r.inputs.map((i) => i.name)).toEqual(["parts/part-2/results.json"]);
    expect(r.skipped).toEqual(["parts/part-10/results.json"]);
  });
});

describe("missingShards", () => {
  it("names the shards of the split that no part covers, counting a merged part's shards", () => {
    expect(missingShards([{ shard: { index: 1, count: 3 } }])).toEqual(["2/3", "3/3"]);
    expect(missingShards([{ shard: null, mergedFrom: [{ index: 1, count: 3 }, { index: 3, count: 3 }] }])).toEqual(["2/3"]);
    expect(missingShards([{ shard: { index: 1, count: 2 } }, { shard: { index: 2, count: 2 } }])).toEqual([]);
    expect(missingShards([{ shard: null }])).toEqual([]);
  });
});

describe("pinlab bench merge of a directory or a glob", () => {
  it("merges a directory of parts, saying which it found", async () => {
    const r = await run(["bench", "merge", "parts/", "--format", "csv"]);
    expect(r.code).toBe(0);
    expect(r.err).toContain("bench merge: found 2 result(s): parts/part-2/results.json, parts/part-10/results.json\n");
    expect(csvIds(r.out).sort()).toEqual([
      "pin-overflow,shmem-aliases,none,legacy-get", "pin-overflow,shmem-aliases,none,pin-bias", "rdma-fork,rdma-mr,rdma-mr,legacy-get", "rdma-fork,rdma-mr,rdma-mr,pin-bias",
    ]);
  });

  it("merges a quoted glob, and a list as before (without a found line)", async () => {
    const glob = await run(["bench", "merge", "parts/part-*", "--format", "csv"]);
    expect(glob.code).toBe(0);
    expect(glob.err).toContain("bench merge: found 2 result(s): parts/part-2, parts/part-10\n");
    const list = await run(["bench", "merge", "flat/shard-1.json", "parts/part-2", "--format", "csv"]);
    expect(list.code).toBe(0);
    expect(list.err).not.toContain("found");
    expect(csvIds(list.out)).toEqual(csvIds(glob.out));
  });

  it("leaves out an earlier merge's output that a search finds, and refuses --out that is one of the parts", async () => {
    expect((await run(["bench", "merge", "parts", "--out", "parts/merged-before"])).code).toBe(0);
    const again = await run(["bench", "merge", "parts", "--out", "elsewhere", "--format", "csv"]);
    expect(again.code).toBe(0);
    expect(again.err).toContain("bench merge: leaving out parts/merged-before/results.json: it is the output of an earlier merge (of 2 parts), not a shard\n");
    expect(again.err).toContain("found 2 result(s): parts/part-2/results.json, parts/part-10/results.json\n");
    rmSync(join(dir, "parts/merged-before"), { recursive: true });
    rmSync(join(dir, "elsewhere"), { recursive: true });
    const over = await run(["bench", "merge", "parts/part-2", "parts/part-10", "--out", "parts/part-2"]);
    expect(over.code).toBe(2);
    expect(over.err).toBe(`pinlab: bench merge: --out ${join(dir, "parts/part-2")} is one of the parts given (parts/part-2): the merge would overwrite it; write the merge to another directory\n`);
  });

  it("names the missing shards of a partial merge and exits 1, or 0 with --allow-partial", async () => {
    const partial = await run(["bench", "merge", "one", "--format", "csv"]);
    expect(partial.code).toBe(1);
    expect(partial.err).toContain("bench merge: 2 of 4 cells are missing from the shards given: shard 2/2 was not given (the merged results are written; --allow-partial exits 0 for a partial merge)\n");
    expect(csvIds(partial.out)).toHaveLength(2);
    const allowed = await run(["bench", "merge", "one", "--allow-partial", "--format", "csv"]);
    expect(allowed.code).toBe(0);
    expect(allowed.err).toContain("warning: 2 of 4 cells are missing from the shards given: shard 2/2 was not given\n");
  });

  it("does not read its own earlier output when merging a directory again", async () => {
    expect((await run(["bench", "merge", "parts", "--out", "parts/merged"])).code).toBe(0);
    const again = await run(["bench", "merge", "parts", "--out", "parts/merged", "--format", "csv"]);
    expect(again.code).toBe(0);
    expect(again.err).toContain("bench merge: leaving out parts/merged/results.json: it is in the --out directory");
    expect(again.err).toContain("found 2 result(s): parts/part-2/results.json, parts/part-10/results.json\n");
    rmSync(join(dir, "parts/merged"), { recursive: true });
  });

  it("refuses, naming the path, a directory or a glob with no result, and a path that does not exist (exit 2)", async () => {
    const cases: [string[], string][] = [
      [["empty"], "pinlab: bench merge: no results.json in empty or below it; give result directories, results.json files, a directory of parts, or a glob\n"],
      [["empty/"], "no results.json in empty/ or below it"],
      [["nowhere/shard-*"], `pinlab: bench merge: nothing matches nowhere/shard-* (from ${dir}); give result directories, results.json files, a directory of parts, or a glob that matches some\n`],
      [["empty/*"], "pinlab: bench merge: empty/* matches 1 path(s) but no results: none is a results.json file or a directory with one below it\n"],
      [["one", "no/such"], `pinlab: ${join(dir, "no/such")} does not exist\n`],
      [["parts/part-10", "flat/shard-1.json"], "cell rdma-fork/rdma-mr/pin-bias is in both parts/part-10 and flat/shard-1.json: merge distinct shards"],
    ];
    for (const [paths, message] of cases) {
      const r = await run(["bench", "merge", ...paths]);
      expect({ paths, code: r.code }).toEqual({ paths, code: 2 });
      expect(r.err).toContain(message);
      expect(r.err).not.toMatch(/\n\s+at /);
    }
  });
});
