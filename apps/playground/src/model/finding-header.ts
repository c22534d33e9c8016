/**
 * (issue 21) What an explore finding shows, read from the header comment `pinlab explore` writes
 * at the top of a finding's scenario (packages/cli/src/explore/finding-scenario.ts):
 *
 * ```
 * # pinlab explore finding: dma_after_clean undetected under legacy-get @v5.3
 * # order (0 preemptions): [wb, wb, dio, dio]
 * # explored from scenarios/explore-dio-writeback.yaml; replay: pinlab run explore-findings/x.yaml
 * ```
 *
 * A failed expectation reads `expectation failed: <key> at step N under ...`. Only the comment
 * lines before the first line of YAML are looked at; a missing or odd first line is no finding
 * (no banner), an odd order or source line just leaves that part out.
 */

/** A finding's header, parsed. */
export interface FindingHeader {
  /** A hazard class, or `expectation`. */
  readonly class: string;
  /** The hazard's outcome, or `<key> at step N` for a failed expectation. */
  readonly outcome: string;
  /** The policy it ran under. */
  readonly policy: string;
  /** The kernel era it ran at. */
  readonly kernel: string;
  /** The order, per block: the thread running each step (absent when the line is missing or odd). */
  readonly order?: readonly (readonly string[])[];
  /** Preemptions in the order (with `order`). */
  readonly preemptions?: number;
  /** The scenario explored (absent when the line is missing). */
  readonly source?: string;
  /** For a failed expectation: the step it failed at, when the outcome names one. */
  readonly step?: number;
}

/** Most header lines looked at (the header is the first comment lines). */
const MAX_LINES = 40;
const FIRST = /^pinlab explore finding: (.+) under (\S+) @(\S+)$/;
const ORDER = /^order \((\d{1,6}) preemptions?\): ((?:\[[^\]]*\]\s*)+)$/;
const SOURCE = /^explored from (.+?); replay: /;
const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/** The comment lines at the top of `text` (before its first line of YAML), without `#` and one space. */
function leadingComments(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split(/\r?\n/, MAX_LINES)) {
    const line = raw.trim();
    if (line === "") continue;
    if (!line.startsWith("#")) break;
    out.push(line.slice(1).trim());
  }
  return out;
}

/** The order line's blocks: `[a, b] [c]` -> [["a", "b"], ["c"]]; undefined when a name is not a thread name. */
function parseOrder(s: string): string[][] | undefined {
  const blocks = [...s.matchAll(/\[([^\]]*)\]/g)].map((m) => m[1].split(",").map((n) => n.trim()).filter((n) => n !== ""));
  return blocks.every((b) => b.length > 0 && b.every((n) => NAME.test(n))) ? blocks : undefined;
}

/** The finding `text`'s header says it is, or undefined when `text` is not an explore finding. */
export function parseFindingHeader(text: string): FindingHeader | undefined {
  const lines = leadingComments(text);
  const first = lines.findIndex((l) => l.startsWith("pinlab explore finding:"));
  const m = first < 0 ? null : FIRST.exec(lines[first]);
  if (m === null) return undefined;
  const what = m[1].trim();
  const failed = /^expectation failed: (.+)$/.exec(what);
  const space = what.indexOf(" ");
  if (failed === null && space < 0) return undefined;
  const cls = failed !== null ? "expectation" : what.slice(0, space);
  const outcome = failed !== null ? failed[1] : what.slice(space + 1).trim();
  const at = failed !== null ? /\bat step (\d{1,9})$/.exec(outcome) : null;
  let order: string[][] | undefined;
  let preemptions: number | undefined;
  let source: string | undefined;
  for (const l of lines.slice(first + 1, first + 3)) {
    const o = ORDER.exec(l);
    const blocks = o === null ? undefined : parseOrder(o[2]);
    if (o !== null && blocks !== undefined) {
      order = blocks;
      preemptions = Number(o[1]);
    }
    const s = SOURCE.exec(l);
    if (s !== null) source = s[1];
  }
  return {
    class: cls, outcome, policy: m[2], kernel: m[3],
    ...(order !== undefined ? { order, preemptions } : {}),
    ...(source !== undefined ? { source } : {}),
    ...(at !== null ? { step: Number(at[1]) } : {}),
  };
}

/** The order as the header writes it: `[wb, wb, dio, dio]` per block. */
export function orderText(order: readonly (readonly string[])[]): string {
  return order.map((b) => `[${b.join(", ")}]`).join(" ");
}
