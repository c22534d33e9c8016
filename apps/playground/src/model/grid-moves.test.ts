import { describe, expect, it } from "vitest";
import { moveSelection, type Span } from "./grid-moves.js";

// 10 columns, 60 frames; a block covers indices 20..39 (two whole rows).
const block: Span = { start: 20, count: 20 };
const blockOf = (i: number): Span | undefined => (i >= 20 && i < 40 ? block : undefined);
const none = (): Span | undefined => undefined;
const move = (cur: number, dir: Parameters<typeof moveSelection>[1], of = blockOf) => moveSelection(cur, dir, 10, 60, of);

describe("arrow keys over the grid", () => {
  it("moves one cell, or one row, between cells, and stays in the region", () => {
    expect([move(5, "left", none), move(5, "right", none), move(15, "up", none), move(15, "down", none)]).toEqual([4, 6, 5, 25]);
    expect([move(0, "left", none), move(59, "right", none), move(3, "up", none), move(55, "down", none)]).toEqual([0, 59, 0, 59]);
    expect(move(-1, "right", none)).toBe(0);
    expect(moveSelection(-1, "right", 10, 0, none)).toBe(-1);
  });

  it("stops once on a block: entering selects its head, any frame of it leaves it in one move", () => {
    expect(move(19, "right")).toBe(20);
    expect(move(40, "left")).toBe(20);
    expect(move(13, "down")).toBe(20);
    expect(move(47, "up")).toBe(20);
    expect(move(20, "right")).toBe(40);
    expect(move(20, "left")).toBe(19);
    expect(move(20, "down")).toBe(40);
    expect(move(20, "up")).toBe(10);
    // A tail frame selected elsewhere (a lane, a link) leaves from its own column.
    expect(move(33, "down")).toBe(43);
    expect(move(33, "up")).toBe(13);
    expect(move(33, "right")).toBe(40);
  });

  it("keeps the block selected when there is nothing past it", () => {
    const end = (i: number): Span | undefined => (i >= 40 ? { start: 40, count: 20 } : undefined);
    expect(move(45, "right", end)).toBe(40);
    expect(move(45, "down", end)).toBe(40);
    expect(move(-1, "left", (i) => (i < 20 ? { start: 0, count: 20 } : undefined))).toBe(0);
  });
});
