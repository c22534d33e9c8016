/**
 * Reading scenario text into data, two ways. The plain read ({@link plainParse}) is what a valid
 * scenario costs: `JSON.parse` for JSON, js-yaml (several times faster than the `yaml` parser,
 * no document kept) for YAML where it is sure to agree with the `yaml` parser, else that parser
 * without positions. The positioned read ({@link positionedParse}) builds the YAML document with a line
 * counter, says where the text breaks, and keeps the document so validation errors can name a
 * line: the reader takes it only when the plain read or the validation after it finds a problem.
 * @module
 */
import { load as loadFast } from "js-yaml";
import { isNode, LineCounter, parseDocument, visit, type Document } from "yaml";
import { ScenarioError, type ScenarioProblem } from "./scenario-error.js";
import { SourceMap, type PositionedDocument } from "./source-map.js";
import { parseUniqueJson, strictJsonProblem } from "./strict-json.js";

/** The YAML parser's options for scenarios: the core schema, unique keys, strict. */
const YAML_OPTIONS = { uniqueKeys: true, schema: "core", prettyErrors: false, strict: true } as const;

/** Alias expansions a scenario may make (a bound on "billion laughs" documents). */
const MAX_ALIAS_COUNT = 100;

const CORE_TAGS = new Set(["str", "int", "float", "bool", "null", "seq", "map"].map((t) => `tag:yaml.org,2002:${t}`));

const JSON_FILE = /\.json$/i;

/** True when a node of `doc` has a tag beyond the plain core ones (other loaders turn tags into objects or code). */
function hasForeignTag(doc: Document): boolean {
  let found = false;
  visit(doc, {
    Node(_key, node) {
      if (isNode(node) && typeof node.tag === "string" && !CORE_TAGS.has(node.tag)) {
        found = true;
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return found;
}

/** A plain scalar the YAML 1.2 core schema reads as a number (a string of this form was quoted, or overflowed in js-yaml). */
const CORE_NUMBER = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;

/**
 * True when the `yaml` parser surely makes `data` of the text js-yaml made it from. Both follow
 * the YAML 1.2 core schema and agree on the scenario library and on generated documents
 * (parse-text.test.ts); they differ on a key that is null (`yaml`: "", js-yaml: "null") and on a
 * float too large for a double (`yaml`: Infinity, js-yaml: a string), in a value or a key. Data
 * with a "null" key or a number-like string (value or key) is left to the `yaml` parser.
 */
function agreesWithCore(data: unknown, depth = 0): boolean {
  if (typeof data === "string") return !CORE_NUMBER.test(data);
  if (data === null || typeof data !== "object") return true;
  if (depth > 100) return false;
  if (Array.isArray(data)) return data.every((x) => agreesWithCore(x, depth + 1));
  for (const [k, v] of Object.entries(data)) if (k === "null" || CORE_NUMBER.test(k) || !agreesWithCore(v, depth + 1)) return false;
  return true;
}

/**
 * js-yaml's read of `text`, or undefined when it is not sure to be the `yaml` parser's: text with
 * a tag or a directive (`!`, `%` at a line start: the `yaml` parser checks those), a tab in a
 * line's indentation (the `yaml` parser refuses it), an alias (refused here: the `yaml` parser
 * bounds their expansions), an `&` anywhere (an anchor: the `yaml` parser warns of some that
 * js-yaml takes, e.g. one ending in `:`; a found case), an escaped line break in a quoted
 * scalar (`\` at a line's end: the two fold a following empty line differently; a found case),
 * or anything js-yaml refuses.
 */
function fastYaml(text: string): unknown {
  if (text.includes("!") || text.includes("&") || /^%/m.test(text) || /^ *\t/m.test(text) || /\\\r?\n/.test(text)) return undefined;
  let data: unknown;
  try {
    data = loadFast(text, { maxAliases: 0 });
  } catch {
    return undefined;
  }
  return data !== undefined && agreesWithCore(data) ? data : undefined;
}

/**
 * The data of `text` when it reads without any problem (JSON: strict, no repeated key; YAML: no
 * error, warning or tag, aliases within bounds), else undefined: then {@link positionedParse}
 * reads it again and says what is wrong. Text that is JSON (a `.json` file, or text starting
 * with `{`) is read by `JSON.parse`; the data is the same the YAML parser makes of it.
 */
export function plainParse(text: string, file: string): unknown {
  const jsonFile = JSON_FILE.test(file);
  if (jsonFile || /^\s*\{/.test(text)) {
    const data = parseUniqueJson(text);
    if (data !== undefined || jsonFile) return data;
  }
  const fast = fastYaml(text);
  if (fast !== undefined) return fast;
  const doc = parseDocument(text, YAML_OPTIONS);
  if (doc.errors.length > 0 || doc.warnings.length > 0) return undefined;
  // A tag is spelled with "!": text without one has none to look for.
  if (text.includes("!") && hasForeignTag(doc)) return undefined;
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch {
    return undefined;
  }
}

/** The YAML document of `text` with positions. */
export function positionedDocument(text: string): PositionedDocument {
  const lines = new LineCounter();
  return { doc: parseDocument(text, { lineCounter: lines, ...YAML_OPTIONS }), lines };
}

/**
 * Read `text` with positions: its data and a source map over its document. Throws
 * {@link ScenarioError} naming the place when the text is not strict JSON (a `.json` file), not
 * YAML, uses a tag, draws a parser warning, or cannot be turned into data.
 */
export function positionedParse(text: string, file: string): { data: unknown; map: SourceMap } {
  if (JSON_FILE.test(file)) {
    const bad = strictJsonProblem(text);
    if (bad !== undefined) throw new ScenarioError([{ file, ...(bad.pos !== undefined ? { pos: bad.pos } : {}), message: bad.message }]);
  }
  const positioned = positionedDocument(text);
  const { doc, lines } = positioned;
  const map = new SourceMap(() => positioned);
  const problems: ScenarioProblem[] = [];
  const posOf = (e: { linePos?: [{ line: number; col: number }, ...unknown[]]; pos: [number, number] }) => {
    const lp = e.linePos?.[0] ?? lines.linePos(e.pos[0]);
    return { line: lp.line, col: lp.col };
  };
  // Only the first syntax error: the ones after it are usually its echoes.
  for (const e of doc.errors.slice(0, 1)) {
    problems.push({ file, pos: posOf(e), message: `not valid YAML or JSON: ${e.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "")}` });
  }
  if (problems.length > 0) throw new ScenarioError(problems);
  // A scenario is data: no tags beyond the plain core ones.
  visit(doc, {
    Node(_key, node) {
      if (isNode(node) && typeof node.tag === "string" && !CORE_TAGS.has(node.tag)) {
        const lp = node.range !== undefined && node.range !== null ? lines.linePos(node.range[0]) : undefined;
        problems.push({ file, pos: lp, message: `YAML tags are not allowed in scenarios (found ${node.tag})` });
      }
    },
  });
  for (const w of doc.warnings) {
    problems.push({ file, pos: posOf(w), message: w.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "") });
  }
  if (problems.length > 0) throw new ScenarioError(problems);
  try {
    return { data: doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }), map };
  } catch (e) {
    throw new ScenarioError([{ file, message: `cannot read the document: ${(e as Error).message}` }]);
  }
}
