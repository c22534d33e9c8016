import "reflect-metadata";
import { beforeAll, describe, expect, it } from "vitest";
import { sampleResults } from "../test-support/sample-results.js";
import { BenchInputError } from "./bench-input-error.js";
import { mergeResults } from "./merge.js";
import type { BenchResults } from "./results.js";

let whole: BenchResults;
beforeAll(async () => {
  whole = await sampleResults();
}, 120_000);

/** Shard `index`/`count` of `whole`, as `--shard` would cut it. */
function shard(index: number, count: number): BenchResults {
  return { ...whole, context: { ...whole.context, shard: { index, count } }, cells: whole.cells.filter((_, i) => i % count === index - 1) };
}

describe("bench merge", () => {
  it("puts shards back together in canonical order", () => {
    const merged = mergeResults([shard(2, 2), shard(1, 2)]);
    expect(merged.cells.map((c) => c.id)).toEqual(whole.cells.map((c) => c.id));
  });

  it("refuses shards of different splits, naming both files and their K/N", () => {
    expect(() => mergeResults([shard(1, 2), shard(2, 3)], ["a.json", "b.json"])).toThrow(BenchInputError);
    expect(() => mergeResults([shard(1, 2), shard(2, 3)], ["a.json", "b.json"])).toThrow("the results are not shards of one split: a.json is shard 1/2 but b.json is shard 2/3; merge the parts of one --shard K/N");
  });

  it("names the context field on which two results are not one matrix", () => {
    const other = { ...shard(2, 2), context: { ...shard(2, 2).context, size: "small" as const } };
    expect(() => mergeResults([shard(1, 2), other], ["a.json", "b.json"])).toThrow('the results are not shards of one matrix: size differs (a.json: "tiny", b.json: "small")');
  });

  it("refuses a cell given twice, naming both files", () => {
    expect(() => mergeResults([shard(1, 2), shard(1, 2)], ["a.json", "b.json"])).toThrow(`cell ${whole.cells[0].id} is in both a.json and b.json: merge distinct shards`);
  });
});
