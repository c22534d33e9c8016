import { describe, expect, it } from "vitest";
import { parseUniqueJson, strictJsonProblem } from "./strict-json.js";

describe("strictJsonProblem: a .json scenario is strict JSON", () => {
  it("accepts JSON, with #, // and ' inside strings", () => {
    expect(strictJsonProblem('{ "name": "a # b // c \'d\' \\" e", "list": [1, 2] }')).toBeUndefined();
  });

  it.each([
    ['{ "a": [1, 2,] }', { line: 1, col: 13 }, 'a trailing comma before "]" (JSON allows none)'],
    ['{\n  "a": 1,\n}', { line: 2, col: 9 }, 'a trailing comma before "}" (JSON allows none)'],
    ['{ "a": 1 // why\n}', { line: 1, col: 10 }, "a comment (JSON has none)"],
    ["{ 'a': 1 }", { line: 1, col: 3 }, "a single-quoted string (JSON strings use double quotes)"],
  ])("names what YAML would have let through in %j", (text, pos, what) => {
    expect(strictJsonProblem(text)).toEqual({ pos, message: `not valid JSON: ${what}` });
  });

  it("passes on JSON.parse's own reason, with the place when it gives one", () => {
    const p = strictJsonProblem('{ "a": 1 "b": 2 }');
    expect(p?.message).toMatch(/^not valid JSON: \S/);
    expect(p?.message).not.toContain("\n");
  });
});

describe("parseUniqueJson: JSON.parse, but never letting a repeated key through", () => {
  it("parses JSON, with quotes, colons and escapes inside strings", () => {
    const text = '{ "name": "a: \\"b\\": c", "steps": [ { "op": "mmap", "k": { "x": 1 } }, {} ], "e": [] }';
    expect(parseUniqueJson(text)).toEqual(JSON.parse(text));
  });

  it.each(['{ "a": 1, "a": 2 }', '{ "s": [ { "op": "x", "b": { "c": 1, "c" : 1 } } ] }', '{ "a": 1, "b": 2, }', "{ a: 1 }"])(
    "returns undefined for %j (a repeated key, or not JSON)", (text) => {
      expect(parseUniqueJson(text)).toBeUndefined();
    });
});
