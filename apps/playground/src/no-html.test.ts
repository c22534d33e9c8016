// Text from a scenario or a link must never become markup: no source file may use an HTML sink.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : /\.ts$/.test(n) && !n.endsWith(".test.ts") ? [p] : [];
  });
}

describe("no HTML sinks", () => {
  it("never uses innerHTML, outerHTML, insertAdjacentHTML, document.write or DOMParser", () => {
    const sinks = /\b(innerHTML|outerHTML|insertAdjacentHTML|document\.write|DOMParser|createContextualFragment)\b/;
    const all = files(import.meta.dirname);
    expect(all.length).toBeGreaterThan(20);
    expect(all.filter((f) => sinks.test(readFileSync(f, "utf8")))).toEqual([]);
  });
});
