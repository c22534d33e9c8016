/**
 * The library covers the format: every op, every expectation key, every policy and every hazard
 * class appears in at least one scenario (checked from the parsed files, not by grep).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { HAZARD_CLASSES, loadScenario, OPS, pluginView, type Expectations } from "@pinlab/core";
import { builtinContainer } from "./plugins/load-plugins.js";
import { REPO_ROOT } from "./test-support/capture-io.js";

const dir = join(REPO_ROOT, "scenarios");
const container = builtinContainer();
const plugins = pluginView(container);
const loaded = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).map((f) => loadScenario(readFileSync(join(dir, f), "utf8"), f, plugins));

const CONTRACT_KEYS = ["ok", "errno", "result", "page", "data", "file_data", "counters", "hazards", "file_pins"];
const PAGE_FIELDS = ["refcount", "mapcount", "pincount", "maybe_dma_pinned", "dirty", "writeback", "present", "writable", "anon_exclusive", "zero_page", "zone", "same_frame_as"];

function allExpectations(): Expectations[] {
  return loaded.flatMap((s) => s.steps.flatMap((st) => [...(st.expect !== undefined ? [st.expect] : []), ...Object.values(st.expect_by_policy ?? {}), ...Object.values(st.expect_by_kernel ?? {})]));
}

describe("the scenario library covers the format", () => {
  it("uses every op", () => {
    const used = new Set(loaded.flatMap((s) => s.steps.map((st) => st.op)));
    expect(OPS.filter((op) => !used.has(op))).toEqual([]);
  });

  it("uses every expectation key and every page field", () => {
    const exps = allExpectations();
    const keys = new Set(exps.flatMap((e) => Object.keys(e)));
    expect(CONTRACT_KEYS.filter((k) => !keys.has(k))).toEqual([]);
    const fields = new Set(exps.flatMap((e) => (e.page === undefined ? [] : Array.isArray(e.page) ? e.page : [e.page]).flatMap((p) => Object.keys(p))));
    expect(PAGE_FIELDS.filter((f) => !fields.has(f))).toEqual([]);
    const sameFrame = exps.flatMap((e) => (e.page === undefined ? [] : Array.isArray(e.page) ? e.page : [e.page]).map((p) => p.same_frame_as)).filter((x) => x !== undefined);
    expect(sameFrame.some((x) => "proc" in x!)).toBe(true);
    expect(sameFrame.some((x) => "region" in x!)).toBe(true);
  });

  it("names every policy and shows every hazard class", () => {
    const policies = new Set(loaded.flatMap((s) => (s.header.policy === undefined ? [] : Array.isArray(s.header.policy) ? s.header.policy : [s.header.policy])));
    const all = policies.has("all") ? [...plugins.policies.keys()] : [];
    expect([...plugins.policies.keys()].filter((p) => !policies.has(p) && !all.includes(p))).toEqual([]);
    const classes = new Set(allExpectations().flatMap((e) => (e.hazards === undefined ? [] : Array.isArray(e.hazards) ? e.hazards : [e.hazards]).map((h) => h.class)));
    expect(HAZARD_CLASSES.filter((c) => !classes.has(c))).toEqual([]);
  });

  it("mostly states how policies (or, for the history scenarios, kernel eras) differ", () => {
    const multi = loaded.filter((s) => s.steps.some((st) => st.expect_by_policy !== undefined || st.expect_by_kernel !== undefined));
    expect(multi.length / loaded.length).toBeGreaterThan(0.5);
    // A history scenario states its era differences and says which commits made them.
    const history = loaded.filter((s) => /(^|\/)history-[^/]*$/.test(s.file));
    expect(history.length).toBeGreaterThanOrEqual(5);
    for (const s of history) expect(s.steps.some((st) => st.expect_by_kernel !== undefined), s.file).toBe(true);
    // Those whose story is a hazard say in which eras it is recorded (history-dirty-cow's is a file's bytes).
    expect(history.filter((s) => (s.header.history?.length ?? 0) > 0).length).toBeGreaterThanOrEqual(4);
  });
});
