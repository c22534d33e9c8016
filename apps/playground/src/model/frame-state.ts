/**
 * What the page-frame grid shows for one frame: the row of numbers recorded per frame, and the
 * classification of a row into a state (the cell's colour) plus markers (pinned, held, dirty,
 * writeback) drawn over it. Pure functions: the grid, the details panel and the tests share them.
 */
import { PG_ALLOC, PG_ANON, PG_DIRTY, PG_FILE, PG_HEAD, PG_HUGE_ZERO, PG_ORPHAN, PG_RESERVED, PG_TAIL, PG_WRITEBACK, PG_ZERO, PG_DAX, pageFlagNames } from "@pinlab/core";

/**
 * The numbers recorded for each frame, in row order, as the frame table holds them: `mapcount` is
 * the page's PTE mappings, `entireMapcount` the PMD mappings of a large folio (on its head only),
 * `order` the folio's order (on every frame of it).
 */
export const FRAME_FIELDS = ["refcount", "mapcount", "flags", "mapping", "index", "order", "pincount", "maybePinned", "entireMapcount"] as const;

/** Index of each field in a frame row. */
export const F = {
  refcount: 0, mapcount: 1, flags: 2, mapping: 3, index: 4, order: 5, pincount: 6, maybePinned: 7, entireMapcount: 8,
} as const satisfies Record<(typeof FRAME_FIELDS)[number], number>;

/** Numbers per frame row. */
export const FRAME_WIDTH = FRAME_FIELDS.length;

/** The state a cell is coloured by. */
export type FrameKind = "free" | "anon" | "file" | "zero" | "reserved" | "orphan" | "other";

/** A frame's state and markers. */
export interface FrameClass {
  /** The state (fill colour). */
  readonly kind: FrameKind;
  /** The policy's `maybe_dma_pinned` says yes. */
  readonly pinned: boolean;
  /** The oracle says a device or a gup handle holds it (whatever the policy can tell). */
  readonly held: boolean;
  /** PG_dirty. */
  readonly dirty: boolean;
  /** PG_writeback. */
  readonly writeback: boolean;
}

/** Classify a frame row. `held` comes from the oracle's holder records. */
export function classifyFrame(row: ArrayLike<number>, held: boolean): FrameClass {
  const flags = row[F.flags];
  return {
    kind: frameKind(flags, row[F.refcount]),
    pinned: row[F.maybePinned] !== 0,
    held,
    dirty: (flags & PG_DIRTY) !== 0,
    writeback: (flags & PG_WRITEBACK) !== 0,
  };
}

/** The state of a frame from its flags and refcount. */
export function frameKind(flags: number, refcount: number): FrameKind {
  if ((flags & (PG_ZERO | PG_HUGE_ZERO)) !== 0) return "zero";
  if ((flags & PG_ORPHAN) !== 0) return "orphan";
  if ((flags & PG_ALLOC) === 0) return refcount !== 0 ? "orphan" : "free";
  if ((flags & PG_ANON) !== 0) return "anon";
  if ((flags & PG_FILE) !== 0) return "file";
  if ((flags & PG_RESERVED) !== 0) return "reserved";
  return "other";
}

/** One legend entry. */
export interface LegendEntry {
  /** The state or marker. */
  readonly id: FrameKind | "pinned" | "held" | "dirty" | "writeback";
  /** What a person reads. */
  readonly label: string;
  /** Longer explanation (tooltip). */
  readonly title: string;
  /** Fill (states) or marker colour. */
  readonly color: string;
  /** A state is a fill; a marker is drawn over it. */
  readonly marker: boolean;
}

/** Fill colours of the states (Okabe-Ito based, readable by colour-blind people, dark text on each). */
export const KIND_COLORS: Readonly<Record<FrameKind, string>> = {
  free: "#eef1f4",
  anon: "#7cc3ec",
  file: "#5cc3a0",
  zero: "#f3e7a6",
  reserved: "#9aa1a8",
  orphan: "#d98cbc",
  other: "#c9d2d9",
};

/** Marker colours. */
export const MARKER_COLORS = {
  pinned: "#c2410c",
  held: "#111827",
  dirty: "#b45309",
  writeback: "#1d4ed8",
} as const;

/** The legend, states first, then markers. */
export const LEGEND: readonly LegendEntry[] = [
  { id: "free", label: "free", title: "not allocated", color: KIND_COLORS.free, marker: false },
  { id: "anon", label: "anon", title: "anonymous page (PG_anon)", color: KIND_COLORS.anon, marker: false },
  { id: "file", label: "file", title: "page-cache or FS-DAX page of a file", color: KIND_COLORS.file, marker: false },
  { id: "zero", label: "zero page", title: "the shared zero page, or the huge zero folio (2 MiB of zeros)", color: KIND_COLORS.zero, marker: false },
  { id: "reserved", label: "reserved", title: "kernel-owned (CMA allocation, device memory)", color: KIND_COLORS.reserved, marker: false },
  { id: "orphan", label: "orphaned", title: "left its file (truncate, hole punch, freed FS-DAX block) but still referenced", color: KIND_COLORS.orphan, marker: false },
  { id: "other", label: "other", title: "allocated, neither anon nor file", color: KIND_COLORS.other, marker: false },
  { id: "pinned", label: "maybe DMA-pinned", title: "the policy's folio_maybe_dma_pinned() says yes (thick outline)", color: MARKER_COLORS.pinned, marker: true },
  { id: "held", label: "held by device/handle", title: "the oracle knows a device or gup handle holds it, whether or not the policy can tell (dot)", color: MARKER_COLORS.held, marker: true },
  { id: "dirty", label: "dirty", title: "PG_dirty (corner)", color: MARKER_COLORS.dirty, marker: true },
  { id: "writeback", label: "writeback", title: "PG_writeback: IO in flight (stripe)", color: MARKER_COLORS.writeback, marker: true },
];

/** A short description of a classified frame, e.g. "anon, maybe DMA-pinned, held, dirty". */
export function describeFrame(c: FrameClass): string {
  const parts: string[] = [LEGEND.find((l) => l.id === c.kind)?.label ?? c.kind];
  if (c.pinned) parts.push("maybe DMA-pinned");
  if (c.held) parts.push("held by device/handle");
  if (c.dirty) parts.push("dirty");
  if (c.writeback) parts.push("writeback");
  return parts.join(", ");
}

/** Names of the page flags of a row, for the details panel. */
export function frameFlagNames(row: ArrayLike<number>): string[] {
  return pageFlagNames(row[F.flags]);
}

/** True for a large folio's tail frame. */
export function isTail(row: ArrayLike<number>): boolean {
  return (row[F.flags] & PG_TAIL) !== 0;
}

/** True for a large folio's head frame. */
export function isHead(row: ArrayLike<number>): boolean {
  return (row[F.flags] & PG_HEAD) !== 0;
}

/** True for a persistent-memory (FS-DAX) frame. */
export function isDax(row: ArrayLike<number>): boolean {
  return (row[F.flags] & PG_DAX) !== 0;
}

/** True for a frame of the huge zero folio (PG_HUGE_ZERO). */
export function isHugeZero(row: ArrayLike<number>): boolean {
  return (row[F.flags] & PG_HUGE_ZERO) !== 0;
}

/**
 * The head frame of the folio holding frame `pfn` whose row is `row` (`page_folio()`): a large
 * folio is naturally aligned and every frame of it carries its order, so a tail finds its head
 * without a search.
 */
export function folioHead(pfn: number, row: ArrayLike<number>): number {
  if (!isTail(row)) return pfn;
  const nr = 2 ** row[F.order];
  return pfn - (pfn % nr);
}
