import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseDocument, stringify } from "yaml";
import { loadScenario, pluginView, ScenarioError } from "../index.js";
import { testContainer } from "../testing/index.js";
import { plainParse } from "./parse-text.js";

const yaml = `name: plain
machine: { memory: 16MiB }
processes: [p1]
steps:
  - { op: mmap, proc: p1, as: buf, length: 8KiB, prot: [read, write], flags: [private, anonymous] }
  - op: write
    proc: p1
    addr: buf
    data: "a: b # c"
`;

/** What the positioned (YAML document) read makes of `text`. */
function yamlData(text: string): unknown {
  return parseDocument(text, { uniqueKeys: true, schema: "core", strict: true }).toJS();
}

function problemsOf(text: string, file: string): string {
  try {
    loadScenario(text, file, pluginView(testContainer()));
  } catch (e) {
    if (e instanceof ScenarioError) return e.message;
    throw e;
  }
  throw new Error("the scenario was accepted");
}

describe("plainParse: the read a valid scenario costs", () => {
  it("makes of YAML and of JSON the data the YAML document makes", () => {
    const json = JSON.stringify(yamlData(yaml), null, 2);
    expect(plainParse(yaml, "a.yaml")).toEqual(yamlData(yaml));
    expect(plainParse(json, "a.json")).toEqual(yamlData(json));
    expect(plainParse(json, "a.yaml")).toEqual(yamlData(json));
  });

  it.each([
    ["a repeated key in JSON", '{ "name": "x", "name": "y" }', "a.json"],
    ["a trailing comma in a .json file", '{ "name": "x", }', "a.json"],
    ["a repeated key in YAML", "name: x\nname: y\n", "a.yaml"],
    ["a YAML syntax error", "name: [x\n", "a.yaml"],
    ["a tag", "name: !!binary aGk=\n", "a.yaml"],
  ])("leaves %s to the positioned read", (_what, text, file) => {
    expect(plainParse(text, file)).toBeUndefined();
  });

  it.each([
    ["a null key", "k: 1\n~: a\n"],
    ["a float too large for a double", "k: 1e400\n"],
    ["a directive", "%YAML 1.2\n---\nk: 1\n"],
    ["an alias", "k: &x 1\nj: *x\n"],
    ["a core tag", "k: !!str 1\n"],
  ])("makes of %s what the YAML document makes", (_what, text) => {
    expect(plainParse(text, "a.yaml")).toEqual(yamlData(text));
  });
});

/** What the positioned read makes of `text`: its data, or undefined when it has a problem. */
function strictData(text: string): unknown {
  const doc = parseDocument(text, { uniqueKeys: true, schema: "core", prettyErrors: false, strict: true });
  if (doc.errors.length > 0 || doc.warnings.length > 0) return undefined;
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch {
    return undefined;
  }
}

const styles = fc.record({
  defaultStringType: fc.constantFrom("PLAIN" as const, "QUOTE_DOUBLE" as const, "QUOTE_SINGLE" as const, "BLOCK_LITERAL" as const, "BLOCK_FOLDED" as const),
  collectionStyle: fc.constantFrom("any" as const, "block" as const, "flow" as const),
  indent: fc.integer({ min: 1, max: 4 }),
  lineWidth: fc.integer({ min: 10, max: 80 }),
});
const edit = fc.record({ at: fc.nat(), text: fc.constantFrom(":", " ", "\n", "-", "#", "'", '"', "[", "]", "{", "}", ",", "?", "|", ">", "\t", "&a ", "*a", "1e", ".", "~", "null", "0x", "\\") });

describe("plainParse against the YAML document (property)", () => {
  it("makes of any document, in any style and with random edits, what the positioned read makes (or leaves it to it)", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 3 })), styles, fc.array(edit, { maxLength: 3 }), (value, style, edits) => {
        let text = stringify(value, style);
        for (const e of edits) text = text.slice(0, e.at % (text.length + 1)) + e.text + text.slice(e.at % (text.length + 1));
        const want = strictData(text);
        const got = plainParse(text, "g.yaml");
        if (want === undefined) expect(got).toBeUndefined();
        else expect(got).toEqual(want);
      }),
      { numRuns: 300 },
    );
  }, 60_000);
});

describe("plainParse on the documents the property found", () => {
  // Each once made js-yaml's read differ from the positioned read: an anchor ending in ":" (the
  // yaml parser warns), a key that is a float too large for a double, and an escaped line break
  // followed by an empty line in a double-quoted scalar.
  it.each([
    ['{ a: 1, :\'  ,&"\': true }\n'],
    ["{ x: -3,156697814512928e+302: null }\n"],
    ['"":\n   - "#\'\'\\\n\n     \'# "\n'],
  ])("reads %j as the positioned read does (or leaves it to it)", (text) => {
    const want = strictData(text);
    const got = plainParse(text, "g.yaml");
    if (want === undefined) expect(got).toBeUndefined();
    else expect(got).toEqual(want);
    expect(got === undefined || want !== undefined).toBe(true);
  });
});

describe("loadScenario: a problem is reported from the positioned read", () => {
  it("names the line of a repeated key in JSON, as the YAML parser reports it", () => {
    const text = '{\n  "name": "x",\n  "machine": { "memory": "16MiB" },\n  "name": "y",\n  "steps": []\n}\n';
    expect(problemsOf(text, "dup.json")).toMatch(/^dup\.json:4:\d+: not valid YAML or JSON: Map keys must be unique/);
  });

  it("names the line and step of a validation problem found after a plain read", () => {
    const text = yaml.replace("length: 8KiB", "length: 8KiB, bogus: 1");
    expect(problemsOf(text, "bad.yaml")).toMatch(/^bad\.yaml:5:\d+: step 0 \(mmap\)/);
    expect(problemsOf(JSON.stringify(yamlData(text), null, 1), "bad.json")).toMatch(/^bad\.json:\d+:\d+: step 0 \(mmap\)/);
  });

  it("keeps positions for runtime messages without having built them", () => {
    const loaded = loadScenario(yaml, "ok.yaml", pluginView(testContainer()));
    expect(loaded.map.pos(["steps", 1, "data"])).toEqual({ line: 9, col: 11 });
  });
});
