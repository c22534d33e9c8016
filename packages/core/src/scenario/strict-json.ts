/**
 * A `.json` scenario is JSON, not YAML that looks like it: the YAML parser that reads scenarios
 * (JSON is a subset of YAML 1.2) would also take trailing commas, comments and single quotes.
 * This checks the text with `JSON.parse` first and says where it breaks.
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
