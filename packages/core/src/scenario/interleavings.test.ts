/**
 * (issue 21) The interleavings of a concurrent block: every order visited is a merge of the
 * threads; without reduction and bound, exactly the multinomial count of distinct merges; with
 * sleep sets, one order per class of equivalent orders; with a bound, every order within it.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { interleavings, multinomial, preemptions, type ThreadStep } from "./interleavings.js";

const threadsArb = fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 2, maxLength: 3 })
  .map((counts) => counts.map((count, i) => ({ name: `t${i}`, count })));

/** True when `order` takes each thread's steps exactly as many times as it has them. */
function isMerge(order: readonly string[], threads: readonly { name: string; count: number }[]): boolean {
  return threads.every((t) => order.filter((n) => n === t.name).length === t.count) && order.length === threads.reduce((a, t) => a + t.count, 0);
}

/** The class of an order under a dependency relation: the relative order of its dependent pairs of steps. */
function traceKey(order: readonly string[], dep: (a: ThreadStep, b: ThreadStep) => boolean): string {
  // Two orders are equivalent iff every dependent pair of steps is in the same relative order.
  const seen = new Map<string, number>();
  const steps = order.map((t) => {
    const index = seen.get(t) ?? 0;
    seen.set(t, index + 1);
    return { thread: t, index };
  });
  const pairs: string[] = [];
  steps.forEach((a, i) => steps.slice(i + 1).forEach((b) => {
    if (a.thread !== b.thread && dep(a, b)) pairs.push(`${a.thread}${a.index}<${b.thread}${b.index}`);
  }));
  return pairs.sort().join(",");
}

describe("interleavings", () => {
  it("without reduction: every merge once, as many as the multinomial", () => {
    fc.assert(fc.property(threadsArb, (threads) => {
      const seen = new Set<string>();
      const stats = interleavings({ threads }, (order) => {
        expect(isMerge(order, threads)).toBe(true);
        seen.add(order.join(","));
      });
      expect(stats.explored).toBe(multinomial(threads.map((t) => t.count)));
      expect(seen.size).toBe(stats.explored);
      expect(stats).toMatchObject({ orders: stats.explored, exhaustive: true, beyondBound: false });
    }));
  });

  it("with sleep sets: one order for each class of equivalent orders, and every class", () => {
    fc.assert(fc.property(threadsArb, fc.integer({ min: 0, max: 2 ** 16 }), (threads, seed) => {
      // A random but fixed dependency: steps (thread, index) depend when a hash of the pair is odd.
      const dep = (a: ThreadStep, b: ThreadStep) => {
        const [x, y] = [`${a.thread}${a.index}`, `${b.thread}${b.index}`].sort();
        let h = seed;
        for (const ch of `${x}|${y}`) h = (h * 31 + ch.charCodeAt(0)) % 1000003;
        return h % 2 === 1;
      };
      const all = new Set<string>();
      interleavings({ threads }, (order) => all.add(traceKey(order, dep)));
      const explored: string[] = [];
      const stats = interleavings({ threads, independent: (a, b) => !dep(a, b) }, (order) => {
        expect(isMerge(order, threads)).toBe(true);
        explored.push(traceKey(order, dep));
      });
      expect(new Set(explored).size).toBe(explored.length); // no class twice
      expect(new Set(explored)).toEqual(all); // every class
      expect(stats.explored).toBe(all.size);
      expect(stats.exhaustive).toBe(true);
    }));
  });

  it("all steps independent: one order; all dependent: every merge", () => {
    const threads = [{ name: "a", count: 3 }, { name: "b", count: 2 }];
    expect(interleavings({ threads, independent: () => true }, () => undefined).explored).toBe(1);
    expect(interleavings({ threads, independent: () => false }, () => undefined).explored).toBe(10);
  });

  it("with a bound: exactly the orders with at most that many preemptions, each once", () => {
    fc.assert(fc.property(threadsArb, fc.integer({ min: 0, max: 3 }), (threads, bound) => {
      const counts = new Map(threads.map((t) => [t.name, t.count]));
      const within = new Set<string>();
      interleavings({ threads }, (order) => {
        if (preemptions(order, counts) <= bound) within.add(order.join(","));
      });
      const got: string[] = [];
      const stats = interleavings({ threads, bound }, (order, p) => {
        expect(p).toBe(preemptions(order, counts));
        expect(p).toBeLessThanOrEqual(bound);
        got.push(order.join(","));
      });
      expect(new Set(got)).toEqual(within);
      expect(got).toHaveLength(within.size);
      expect(stats.exhaustive).toBe(true);
    }));
  });

  it("with a bound and sleep sets: every class that has an order within the bound is explored", () => {
    fc.assert(fc.property(threadsArb, fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 ** 16 }), (threads, bound, seed) => {
      const dep = (a: ThreadStep, b: ThreadStep) => (seed + a.index * 7 + b.index * 7 + a.thread.charCodeAt(1) + b.thread.charCodeAt(1)) % 3 !== 0;
      const counts = new Map(threads.map((t) => [t.name, t.count]));
      const want = new Set<string>();
      interleavings({ threads }, (order) => {
        if (preemptions(order, counts) <= bound) want.add(traceKey(order, dep));
      });
      const got = new Set<string>();
      interleavings({ threads, bound, independent: (a, b) => !dep(a, b) }, (order) => got.add(traceKey(order, dep)));
      expect(got).toEqual(want);
    }));
  });

  it("counts preemptions: switches away from a thread that has steps left", () => {
    const counts = new Map([["a", 2], ["b", 2]]);
    expect(preemptions(["a", "a", "b", "b"], counts)).toBe(0);
    expect(preemptions(["a", "b", "b", "a"], counts)).toBe(1);
    expect(preemptions(["a", "b", "a", "b"], counts)).toBe(2);
    expect(multinomial([2, 2])).toBe(6);
    expect(multinomial([3, 2, 1])).toBe(60);
  });

  it("stops at the limit, and then is not exhaustive", () => {
    const stats = interleavings({ threads: [{ name: "a", count: 3 }, { name: "b", count: 3 }], limit: 5 }, () => undefined);
    expect(stats).toMatchObject({ explored: 5, exhaustive: false, orders: 20 });
  });
});
