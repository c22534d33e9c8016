import { PG_ALLOC, PG_ANON, PG_DAX, PG_DIRTY, PG_FILE, PG_HEAD, PG_HUGE_ZERO, PG_ORPHAN, PG_RESERVED, PG_TAIL, PG_WRITEBACK, PG_ZERO } from "@pinlab/core";
import { describe, expect, it } from "vitest";
import { classifyFrame, describeFrame, F, FRAME_WIDTH, folioHead, frameKind, LEGEND } from "./frame-state.js";

function row(fields: Partial<Record<keyof typeof F, number>>): Float64Array {
  const r = new Float64Array(FRAME_WIDTH);
  for (const [k, v] of Object.entries(fields)) r[F[k as keyof typeof F]] = v;
  return r;
}

describe("frame classification", () => {
  it.each([
    [0, 0, "free"],
    [PG_ALLOC | PG_ZERO | PG_RESERVED, 1, "zero"],
    [PG_ALLOC | PG_HEAD | PG_HUGE_ZERO, 1, "zero"],
    [PG_ALLOC | PG_ANON, 1, "anon"],
    [PG_ALLOC | PG_FILE | PG_DIRTY, 2, "file"],
    [PG_ALLOC | PG_FILE | PG_ORPHAN, 1, "orphan"],
    [PG_DAX | PG_ORPHAN, 2, "orphan"],
    [0, 3, "orphan"],
    [PG_ALLOC | PG_RESERVED, 1, "reserved"],
    [PG_ALLOC, 1, "other"],
  ] as const)("flags %i, refcount %i is %s", (flags, ref, kind) => {
    expect(frameKind(flags, ref)).toBe(kind);
  });

  it("reads the markers from the row and the oracle", () => {
    const c = classifyFrame(row({ flags: PG_ALLOC | PG_FILE | PG_DIRTY | PG_WRITEBACK, refcount: 1025, maybePinned: 1 }), true);
    expect(c).toEqual({ kind: "file", pinned: true, held: true, dirty: true, writeback: true });
    expect(describeFrame(c)).toBe("file, maybe DMA-pinned, held by device/handle, dirty, writeback");
  });

  it("tells a frame a device holds from one the policy flags (legacy-get cannot tell)", () => {
    const legacy = classifyFrame(row({ flags: PG_ALLOC | PG_ANON, refcount: 2 }), true);
    expect(legacy.pinned).toBe(false);
    expect(legacy.held).toBe(true);
  });

  it("has a legend entry for every state and marker", () => {
    const ids = LEGEND.map((l) => l.id);
    for (const id of ["free", "anon", "file", "zero", "reserved", "orphan", "other", "pinned", "held", "dirty", "writeback"]) expect(ids).toContain(id);
  });

  it("finds a large folio's head from any of its frames", () => {
    expect(folioHead(512 + 88, row({ flags: PG_ALLOC | PG_ANON | PG_TAIL, order: 9 }))).toBe(512);
    expect(folioHead(512, row({ flags: PG_ALLOC | PG_ANON | PG_HEAD, order: 9 }))).toBe(512);
    expect(folioHead(7, row({ flags: PG_ALLOC | PG_ANON }))).toBe(7);
  });
});
