import { describe, expect, it } from "vitest";
import { RowHistory } from "./row-history.js";

/** A deterministic sequence of table states: position p has keys changing with p. */
function states(n: number): Map<number, number[]>[] {
  const out: Map<number, number[]>[] = [];
  for (let p = 0; p < n; p++) {
    const m = new Map<number, number[]>();
    for (let k = 0; k < 20; k++) if ((k * 7 + p * 3) % 5 !== 0) m.set(k, [k, p % (k + 1), (k * p) % 3]);
    out.push(m);
  }
  return out;
}

describe("RowHistory", () => {
  it.each([1, 3, 32])("rebuilds every position exactly with a keyframe every %i", (every) => {
    const want = states(70);
    const h = new RowHistory(3, every);
    for (const s of want) {
      for (const k of [...h.keys()]) if (!s.has(k)) h.remove(k);
      for (const [k, r] of s) h.set(k, r);
      h.commit();
    }
    expect(h.length).toBe(70);
    want.forEach((s, p) => {
      const got = h.at(p);
      expect(new Map([...got].map(([k, r]) => [k, [...r]]))).toEqual(s);
    });
  });

  it("stores only what changed", () => {
    const h = new RowHistory(2, 1000);
    h.set(1, [1, 2]);
    h.commit();
    const after = h.bytes;
    for (let i = 0; i < 100; i++) {
      h.set(1, [1, 2]);
      h.commit();
    }
    expect(h.bytes).toBe(after);
  });

  it("refuses rows of the wrong width and positions out of range", () => {
    const h = new RowHistory(2);
    expect(() => h.set(1, [1])).toThrow(RangeError);
    h.commit();
    expect(() => h.at(1)).toThrow(RangeError);
  });
});
