import { describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
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
