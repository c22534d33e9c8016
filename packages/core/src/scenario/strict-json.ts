/**
 * A `.json` scenario is JSON, not YAML that looks like it: the YAML parser that reads scenarios
 * (JSON is a subset of YAML 1.2) would also take trailing commas, comments and single quotes.
 * This checks the text with `JSON.parse` first and says where it breaks; {@link parseUniqueJson}
 * is the fast read of a scenario that is JSON.
 * @module
 */

/** Where and why a text is not strict JSON, or undefined when it is. */
export interface JsonProblem {
  /** 1-based line and column, when known. */
  readonly pos?: { readonly line: number; readonly col: number };
  /** What is wrong. */
  readonly message: string;
}

/** 1-based line and column of character `index` of `text`. */
function lineCol(text: string, index: number): { line: number; col: number } {
  let line = 1;
  let start = 0;
  for (let i = 0; i < index && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      start = i + 1;
    }
  }
  return { line, col: index - start + 1 };
}

/**
 * The first thing JSON forbids that the YAML parser accepts: a trailing comma before `]` or `}`,
 * a comment, or a single-quoted string. Strings are skipped as JSON spells them.
 */
function findLeniency(text: string): { index: number; what: string } | undefined {
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === "\\") i++;
      continue;
    }
    if (c === "'") return { index: i, what: "a single-quoted string (JSON strings use double quotes)" };
    if (c === "#" || (c === "/" && (text[i + 1] === "/" || text[i + 1] === "*"))) return { index: i, what: "a comment (JSON has none)" };
    if (c === ",") {
      let j = i + 1;
      while (j < text.length && /\s/.test(text[j])) j++;
      if (text[j] === "]" || text[j] === "}") return { index: i, what: `a trailing comma before "${text[j]}" (JSON allows none)` };
    }
  }
  return undefined;
}

/** Check that `text` is strict JSON (RFC 8259); undefined when it is. */
export function strictJsonProblem(text: string): JsonProblem | undefined {
  try {
    JSON.parse(text);
    return undefined;
  } catch (e) {
    const lenient = findLeniency(text);
    if (lenient !== undefined) return { pos: lineCol(text, lenient.index), message: `not valid JSON: ${lenient.what}` };
    const message = (e as Error).message.split("\n")[0];
    const at = /at position (\d+)/.exec(message);
    const why = message.replace(/,? ?".*$/s, "").replace(/ in JSON at position \d+.*$/, "");
    return { ...(at !== null ? { pos: lineCol(text, Number(at[1])) } : {}), message: `not valid JSON: ${why}` };
  }
}

/** How many object keys `text` (valid JSON) spells: strings followed by a colon. */
function keyTokens(text: string): number {
  let keys = 0;
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) !== 34) continue; // '"'
    for (i++; i < text.length && text.charCodeAt(i) !== 34; i++) if (text.charCodeAt(i) === 92) i++; // '\\'
    let j = i + 1;
    while (j < text.length && (text.charCodeAt(j) === 32 || text.charCodeAt(j) === 10 || text.charCodeAt(j) === 13 || text.charCodeAt(j) === 9)) j++;
    if (text.charCodeAt(j) === 58) keys++; // ':'
  }
  return keys;
}

/** How many keys the objects of a parsed JSON value hold, all told. */
function parsedKeys(v: unknown): number {
  if (v === null || typeof v !== "object") return 0;
  if (Array.isArray(v)) return v.reduce((n: number, x) => n + parsedKeys(x), 0);
  let n = 0;
  for (const k in v) if (Object.hasOwn(v, k)) n += 1 + parsedKeys((v as Record<string, unknown>)[k]);
  return n;
}

/**
 * `text` parsed by `JSON.parse`, or undefined when it is not strict JSON or repeats a key in an
 * object: the scenario reader's YAML parse (`uniqueKeys`) rejects repeated keys, which
 * `JSON.parse` silently lets the last one win. A repeated key leaves fewer keys in the parsed
 * objects than the text spells, which is how it is found (the caller then takes the YAML path,
 * which reports it with its place).
 */
export function parseUniqueJson(text: string): unknown {
  try {
    const data: unknown = JSON.parse(text);
    return parsedKeys(data) === keyTokens(text) ? data : undefined;
  } catch {
    return undefined; // not JSON, or nested past the stack: the YAML path says what is wrong
  }
}
