import { loadScenario, ScenarioError, type ScenarioProblem } from "@pinlab/core";
import { describe, expect, it } from "vitest";
import { problemsToDiagnostics } from "./diagnostics.js";
import { registry } from "./test-support.js";

function problemsOf(text: string): readonly ScenarioProblem[] {
  try {
    loadScenario(text, "t.yaml", registry.plugins);
  } catch (e) {
    if (e instanceof ScenarioError) return e.problems;
    throw e;
  }
  return [];
}

describe("problems as editor diagnostics", () => {
  it("puts a problem at its line and column, over the token there", () => {
    const text = "name: x\nmachine: { memory: 64MiB }\nsteps:\n  - { op: mmapp, proc: p1 }\n";
    const [d] = problemsToDiagnostics(text, problemsOf(text));
    expect(d.line).toBe(4);
    expect(text.slice(d.from, d.to)).toBe("mmapp");
    expect(d.message).toMatch(/^step 0, field "op": unknown op "mmapp"/);
  });

  it("marks a YAML syntax error where the parser stopped", () => {
    const text = "name: x\nmachine: { memory: 64MiB\nsteps: []\n";
    const ds = problemsToDiagnostics(text, problemsOf(text));
    expect(ds).toHaveLength(1);
    expect(ds[0].line).toBeGreaterThanOrEqual(2);
    expect(ds[0].message).toMatch(/not valid YAML/);
  });

  it("puts a problem without a position on line 1 and clamps positions past the end", () => {
    const text = "a: 1\nb: 2";
    const [whole, past] = problemsToDiagnostics(text, [
      { file: "t", message: "no position" },
      { file: "t", pos: { line: 9, col: 40 }, message: "far" },
    ]);
    expect([whole.from, whole.to, whole.line]).toEqual([0, 4, 1]);
    expect(past.line).toBe(2);
    expect(past.to).toBeLessThanOrEqual(text.length);
    expect(past.from).toBeLessThan(past.to);
  });
});
