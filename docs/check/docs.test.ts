/**
 * The docs test. On the real guides: every registered policy and device has a section whose
 * tables agree with its metadata, every ```ts sample typechecks against the built packages, every
 * scenario shown passes under the policies it names, every excerpt is verbatim. On fixtures:
 * each of those checks fires.
 */
import { join } from "node:path";
import { listDevices, listPolicies } from "@pinlab/core";
import { beforeAll, describe, expect, it } from "vitest";
import { benchRunOptions, benchWorkloadIds, checkBenchCoverage } from "./bench-coverage.js";
import { checkCoverage } from "./coverage.js";
import { checkExcerpts } from "./excerpts.js";
import { checkFormatCoverage } from "./format-coverage.js";
import { readMarkdown, type MarkdownDoc } from "./markdown.js";
import { typecheckSamples, type SampleProblem } from "./samples.js";
import { checkScenarioBlocks, isScenarioBlock } from "./scenarios.js";
import { DOCS_ROOT, WORKSPACE_ROOT, examplePluginPaths, readGuides, registryContainer } from "./workspace.js";

const SAMPLE_DIR = join(DOCS_ROOT, "check", "__samples__");
const fixture = (name: string) => readMarkdown(join(DOCS_ROOT, "check", "fixtures", name), `fixtures/${name}`);
const messages = (ps: readonly { where?: string; message: string }[]) => ps.map((p) => `${p.where ?? ""}: ${p.message}`);

// One compiler pass for the guides' samples, the example plugins and the fixture (a program costs
// seconds; its diagnostics are then split by file).
let typecheckResult: SampleProblem[] | undefined;
function typecheckAll(): SampleProblem[] {
  typecheckResult ??= typecheckSamples(
    [...readGuides().flatMap((g) => g.blocks), ...fixture("broken-sample.md").blocks], SAMPLE_DIR, WORKSPACE_ROOT, examplePluginPaths(),
  );
  return typecheckResult;
}

describe("the guides", () => {
  let guides: MarkdownDoc[];
  beforeAll(() => {
    guides = readGuides();
  });

  it("have a section for every registered policy and device, agreeing with its options and actions", () => {
    const c = registryContainer();
    const policies = listPolicies(c);
    const devices = listDevices(c);
    expect(policies.length).toBeGreaterThan(0);
    expect(devices.length).toBeGreaterThan(0);
    expect(messages(checkCoverage(guides, policies, devices))).toEqual([]);
  });

  it("have TypeScript samples that typecheck against the built packages, as do the example plugins", () => {
    expect(guides.flatMap((g) => g.blocks).filter((b) => b.lang === "ts").length).toBeGreaterThan(0);
    expect(examplePluginPaths().length).toBeGreaterThan(0);
    expect(messages(typecheckAll().filter((p) => !p.where.startsWith("fixtures/")))).toEqual([]);
  });

  it("show scenarios that pass under the policies they name", async () => {
    const blocks = guides.flatMap((g) => g.blocks);
    expect(blocks.filter(isScenarioBlock).length).toBeGreaterThan(0);
    expect(messages(await checkScenarioBlocks(blocks, WORKSPACE_ROOT))).toEqual([]);
  });

  it("show every field, op, expectation key, page field, device action and errno of the scenario format in guide 5", () => {
    const guide = guides.find((g) => g.file.endsWith("05-scenarios.md"));
    expect(guide).toBeDefined();
    expect(checkFormatCoverage(guide!, listDevices(registryContainer()))).toEqual([]);
  });

  it("describe every bench workload and every option of pinlab bench run in guide 6", () => {
    const guide = guides.find((g) => g.file.endsWith("06-benchmarks.md"));
    expect(guide).toBeDefined();
    const options = benchRunOptions(WORKSPACE_ROOT);
    expect(options).toContain("--shard");
    expect(benchWorkloadIds().length).toBeGreaterThan(0);
    expect(checkBenchCoverage(guide!, benchWorkloadIds(), options)).toEqual([]);
  });

  it("quote files verbatim where they say they do", () => {
    expect(messages(checkExcerpts(guides.flatMap((g) => g.blocks), WORKSPACE_ROOT))).toEqual([]);
  });
});

describe("the checks fire", () => {
  it("on a sample that no longer typechecks, at its markdown line, and skip `partial` blocks", () => {
    const text = messages(typecheckAll().filter((p) => p.where.startsWith("fixtures/")));
    expect(text).toEqual([
      expect.stringMatching(/^fixtures\/broken-sample\.md:15: .*has no exported member 'parseBytes'/),
      expect.stringMatching(/^fixtures\/broken-sample\.md:17: .*Type 'number' is not assignable to type 'string'/),
    ]);
  });

  it("on a scenario that fails or no longer loads, on `invalid` / `fails` markers that lie, and runs with a `config` or a `plugin`", async () => {
    const problems = await checkScenarioBlocks(fixture("scenarios.md").blocks, WORKSPACE_ROOT);
    const text = messages(problems);
    expect(text).toEqual([
      expect.stringMatching(/^fixtures\/scenarios\.md:26: fails:\n.*legacy-get: step 1 \(gup\) page\.maybe_dma_pinned: expected true, got false/),
      expect.stringMatching(/^fixtures\/scenarios\.md:39: does not load:\n {4}fixtures\/scenarios\.md:43:11: step 0, field "op": unknown op "pin_everything"/),
      expect.stringMatching(/^fixtures\/scenarios\.md:55: is marked `invalid` but loads/),
      expect.stringMatching(/^fixtures\/scenarios\.md:71: is marked `fails` but every expectation held/),
      expect.stringMatching(/^fixtures\/scenarios\.md:103: fails:\n.*pin-bias: step 5 \(check\) page\.maybe_dma_pinned: expected true, got false/),
      expect.stringMatching(/^fixtures\/scenarios\.md:133: does not load:\n.*unknown device kind "fixed-buffer-ring"/),
      expect.stringMatching(/^fixtures\/scenarios\.md:143: does not load:\n.*not valid YAML/),
    ]);
  });

  it("on a registered policy or device without a section, and on tables that disagree with the metadata", () => {
    const c = registryContainer();
    const text = messages(checkCoverage([fixture("coverage.md")], listPolicies(c), listDevices(c)));
    expect(text).toEqual(expect.arrayContaining([
      expect.stringMatching(/fixtures\/coverage\.md:\d+: option `daxBusyWait`: the table says default `false`, the schema says none \(-\)/),
      ": policy `pin-bias` has options but no options table under its sections",
      expect.stringMatching(/fixtures\/coverage\.md:\d+: the options table lists `fileCacheSize`, which is not an option of vaddr-pin/),
      expect.stringMatching(/fixtures\/coverage\.md:\d+: action `dma_read` is missing from the actions table/),
      expect.stringMatching(/fixtures\/coverage\.md:\d+: action `dma_write`: the table lists fields offset, region, the schema has data, offset, region/),
      ": device `odp-mirror` has no actions table under its sections",
      expect.stringMatching(/^: device `direct-io` has no section in the guides/),
    ]));
    expect(text).toHaveLength(7);
  });

  it("on a scenario format guide that leaves out ops, keys, fields, device actions or errnos", () => {
    const missing = checkFormatCoverage(fixture("scenarios.md"), listDevices(registryContainer()));
    expect(missing).toEqual(expect.arrayContaining([
      "no scenario shows the top-level field `policy_options`",
      "no scenario shows the machine field `pinned_writeback`",
      "no scenario shows the op `cma_alloc`",
      "no scenario shows the expectation key `device_counters`",
      "no scenario shows the page field `orphan`",
      "no scenario shows the device action `odp-mirror:prefetch`",
      "the guide does not name the errno `ETXTBSY`",
    ]));
    expect(missing).not.toContain("no scenario shows the op `mmap`");
    expect(missing).not.toContain("no scenario shows the page field `maybe_dma_pinned`");
  });

  it("on a bench guide that leaves out a workload or an option", () => {
    const missing = checkBenchCoverage(fixture("bench.md"), ["rdma-fork", "gup-throughput", "pin-overflow"], ["--workloads", "--size", "--seed", "--shard"]);
    expect(missing).toEqual([
      "fixtures/bench.md: the guide does not name the workload `pin-overflow`",
      "fixtures/bench.md: the guide does not describe the option `--shard` of pinlab bench run",
    ]);
  });

  it("on an excerpt that drifted from its file", () => {
    const text = messages(checkExcerpts(fixture("excerpts.md").blocks, WORKSPACE_ROOT));
    expect(text).toEqual([
      expect.stringMatching(/^fixtures\/excerpts\.md:11: is not a verbatim excerpt of docs\/examples\/no-longterm\/no-longterm\.mjs/),
      expect.stringMatching(/^fixtures\/excerpts\.md:17: excerpt of docs\/examples\/nowhere\.mjs, which does not exist/),
    ]);
  });
});
