import { isMap, isScalar, isSeq, type LineCounter, type Document, type Node } from "yaml";
import type { SourcePos } from "./scenario-error.js";

/** A document parsed with positions, and the line counter that turns offsets into lines. */
export interface PositionedDocument {
  /** The document. */
  readonly doc: Document;
  /** Its line counter. */
  readonly lines: LineCounter;
}

/**
 * Positions of nodes in a parsed YAML/JSON document, so every error can name a line and column.
 * Looks a path up in the document; when the exact node is missing (a required field absent),
 * falls back to its nearest existing ancestor (the map that should have held it). The document is
 * made by `load` when a position is first asked for: a scenario that reads without a problem
 * never builds (or keeps) one.
 */
export class SourceMap {
  private parsed: PositionedDocument | undefined;

  /** Wrap the maker of a parsed document (called once, on the first position asked for). */
  constructor(private readonly load: () => PositionedDocument) {}

  private get doc(): Document {
    this.parsed ??= this.load();
    return this.parsed.doc;
  }

  private get lines(): LineCounter {
    this.parsed ??= this.load();
    return this.parsed.lines;
  }

  /** The position of the node at `path` (or its nearest ancestor). */
  pos(path: readonly PropertyKey[]): SourcePos | undefined {
    let node: unknown = this.doc.contents;
    let best = this.rangeStart(node);
    for (const key of path) {
      if (isMap(node)) {
        const pair = node.items.find((it) => isScalar(it.key) && String(it.key.value) === String(key));
        if (pair === undefined) break;
        node = pair.value ?? pair.key;
        best = this.rangeStart(node) ?? this.rangeStart(pair.key) ?? best;
      } else if (isSeq(node) && typeof key === "number") {
        const item = node.items[key];
        if (item === undefined) break;
        node = item;
        best = this.rangeStart(node) ?? best;
      } else {
        break;
      }
    }
    return best;
  }

  /** The position of the key (not the value) of `path`'s last element, for unknown-field errors. */
  keyPos(path: readonly PropertyKey[], key: string): SourcePos | undefined {
    let node: unknown = this.doc.contents;
    for (const k of path) {
      if (isMap(node)) node = node.items.find((it) => isScalar(it.key) && String(it.key.value) === String(k))?.value;
      else if (isSeq(node) && typeof k === "number") node = node.items[k];
      else return this.pos(path);
    }
    if (isMap(node)) {
      const pair = node.items.find((it) => isScalar(it.key) && String(it.key.value) === key);
      if (pair !== undefined) return this.rangeStart(pair.key) ?? this.pos(path);
    }
    return this.pos(path);
  }

  private rangeStart(node: unknown): SourcePos | undefined {
    const range = (node as Node | undefined)?.range;
    if (range === undefined || range === null) return undefined;
    const lp = this.lines.linePos(range[0]);
    return { line: lp.line, col: lp.col };
  }
}
