import "reflect-metadata";
import { readFileSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { renderCsv } from "../report/csv.js";
import { renderTerminal } from "../report/terminal.js";
import { FAKE_PLUGINS } from "../test-support/fake-plugins.js";
import { deterministicView } from "./deterministic-view.js";
import { runBench } from "./run-bench.js";

/**
 * An unswept run with one seed must give what it gave before sweeps and seeds existed: the
 * golden file was written by the code of that time (PINLAB_WRITE_GOLDEN=1 rewrites it).
 */
const GOLDEN = new URL("../test-support/golden/unswept-one-seed.json", import.meta.url);

describe("an unswept run with one seed", () => {
  it("has the deterministic view, cell fields, context fields and report columns it had before sweeps", async () => {
    const r = await runBench({ plugins: [FAKE_PLUGINS], workloads: ["dio-writeback-race", "shared-library-false-positive", "pin-overflow"], policies: ["fake-get", "fake-bias"], size: "tiny", seed: 5, workers: 2 });
    const view = deterministicView(r);
    const actual = {
      viewSha256: createHash("sha256").update(JSON.stringify(view)).digest("hex"),
      view,
      cellFields: r.cells.map((c) => Object.keys(c).sort()),
      contextFields: Object.keys(r.context).sort(),
      csvHeader: renderCsv(r).split("\n")[0],
      // Column names only: the table pads columns to their widest cell, and timings vary in width.
      tableColumns: renderTerminal(r).split("\n").find((l) => l.startsWith("workload"))!.trim().split(/\s{2,}/),
    };
    if (process.env.PINLAB_WRITE_GOLDEN === "1") writeFileSync(GOLDEN, `${JSON.stringify(actual, null, 2)}\n`);
    expect(actual).toEqual(JSON.parse(readFileSync(GOLDEN, "utf8")));
  }, 120_000);
});
