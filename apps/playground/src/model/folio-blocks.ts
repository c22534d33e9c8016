/**
 * Large folios as blocks: a folio of PMD order (a 2 MiB THP, a hugetlb folio, the huge zero
 * folio) is one unit of memory that one PMD entry maps whole, so the grid draws it as one block
 * over its frames' cells, labelled, instead of 512 separate cells; a click or an arrow key selects
 * it as one stop. Which folios are blocks depends only on the position shown, never on the view,
 * so the grid stays deterministic. Pure: the grid, the details panel and the tests share it.
 */
import { formatSize, HPAGE_PMD_ORDER, PAGE_SIZE, PG_FILE, PG_HUGETLB, PTE_HUGE } from "@pinlab/core";
import { classifyFrame, describeFrame, F, FRAME_WIDTH, isHead, isHugeZero, type FrameClass } from "./frame-state.js";
import { mapsFrame } from "./capture.js";
import type { MachineAt } from "./machine-at.js";

/** Folios of this order or larger are drawn as one block (`HPAGE_PMD_ORDER`: 2 MiB). */
export const BLOCK_MIN_ORDER = HPAGE_PMD_ORDER;

/** What kind of large folio a block is. */
export type BlockKind = "thp" | "file-thp" | "hugetlb" | "huge-zero";

/** Names of the kinds, as the labels write them. */
export const BLOCK_KIND_NAMES: Readonly<Record<BlockKind, string>> = {
  thp: "THP",
  "file-thp": "file THP",
  hugetlb: "hugetlb",
  "huge-zero": "huge zero page",
};

/** One large folio as the grid draws it. */
export interface FolioBlock {
  /** The head frame. */
  readonly head: number;
  /** Region index of the head (the block's first cell). */
  readonly start: number;
  /** Cells it covers: its frames that are shown (all of them unless the region ends inside it). */
  readonly count: number;
  /** The folio's order. */
  readonly order: number;
  /** What it is. */
  readonly kind: BlockKind;
  /** PMD leaves mapping it, in every process (the huge zero folio's too, which keep no mapcount). */
  readonly pmdMaps: number;
  /** PTEs mapping its pages, in every process (after a PMD split, or a partial mapping). */
  readonly pteMaps: number;
  /** State and markers: the head's, with `held` when the oracle knows a holder of any of its frames. */
  readonly cls: FrameClass;
  /** Short text drawn in the block, e.g. "THP 2MiB, PMD-mapped ×1". */
  readonly label: string;
}

/** The blocks of a position. */
export interface FolioBlocks {
  /** Blocks in region order. */
  readonly list: readonly FolioBlock[];
  /** Index into `list` of the block covering each region index, -1 for a frame drawn as a cell. */
  readonly at: Int32Array;
}

const memo = new WeakMap<MachineAt, FolioBlocks>();

/** The blocks of `m` (computed once per materialized position). */
export function folioBlocks(m: MachineAt): FolioBlocks {
  const hit = memo.get(m);
  if (hit !== undefined) return hit;
  const at = new Int32Array(m.region.size).fill(-1);
  const found: Array<{ head: number; start: number; count: number; order: number }> = [];
  for (const z of m.region.zones) {
    for (let k = 0; k < z.shown; k++) {
      const i = z.offset + k;
      const row = m.rows.subarray(i * FRAME_WIDTH, (i + 1) * FRAME_WIDTH);
      const order = row[F.order];
      if (order < BLOCK_MIN_ORDER || !isHead(row)) continue;
      const count = Math.min(2 ** order, z.shown - k);
      at.fill(found.length, i, i + count);
      found.push({ head: z.start + k, start: i, count, order });
      k += count - 1;
    }
  }
  const pmdMaps = new Map<number, number>(found.map((b) => [b.head, 0]));
  for (const pte of m.ptes.values()) {
    const n = pmdMaps.get(pte[0]);
    if (n !== undefined && (pte[1] & PTE_HUGE) !== 0 && mapsFrame(pte)) pmdMaps.set(pte[0], n + 1);
  }
  const list = found.map((b): FolioBlock => {
    const headRow = m.rows.subarray(b.start * FRAME_WIDTH, (b.start + 1) * FRAME_WIDTH);
    let pteMaps = 0;
    let held = false;
    for (let i = b.start; i < b.start + b.count; i++) {
      pteMaps += m.rows[i * FRAME_WIDTH + F.mapcount];
      if (!held && m.holders.has(b.head + (i - b.start))) held = true;
    }
    const kind = blockKind(headRow);
    const maps = pmdMaps.get(b.head) ?? 0;
    return { ...b, kind, pmdMaps: maps, pteMaps, cls: classifyFrame(headRow, held), label: blockLabel(kind, b.order, maps, pteMaps) };
  });
  const out = { list, at };
  memo.set(m, out);
  return out;
}

/** The block covering region index `i`, if it is drawn in one. */
export function blockAt(blocks: FolioBlocks, i: number): FolioBlock | undefined {
  const b = i >= 0 && i < blocks.at.length ? blocks.at[i] : -1;
  return b < 0 ? undefined : blocks.list[b];
}

/** What kind of large folio the head row `row` heads. */
export function blockKind(row: ArrayLike<number>): BlockKind {
  const flags = row[F.flags];
  if (isHugeZero(row)) return "huge-zero";
  if ((flags & PG_HUGETLB) !== 0) return "hugetlb";
  return (flags & PG_FILE) !== 0 ? "file-thp" : "thp";
}

/**
 * The label of a block: kind and size, then how it is mapped, e.g. "THP 2MiB, PMD-mapped ×1",
 * "hugetlb 2MiB, PMD-mapped ×2", "THP 2MiB, 512 PTEs" (split), "THP 2MiB, not mapped".
 */
export function blockLabel(kind: BlockKind, order: number, pmdMaps: number, pteMaps: number): string {
  const parts = [`${BLOCK_KIND_NAMES[kind]} ${formatSize(2 ** order * PAGE_SIZE)}`];
  if (pmdMaps > 0) parts.push(`PMD-mapped ×${pmdMaps}`);
  if (pteMaps > 0) parts.push(`${pteMaps} PTE${pteMaps === 1 ? "" : "s"}`);
  if (pmdMaps === 0 && pteMaps === 0) parts.push("not mapped");
  return parts.join(", ");
}

/** A one-line description of a block for tooltips and screen readers, e.g. "frames 512–1023: THP 2MiB, PMD-mapped ×1 (anon, maybe DMA-pinned)". */
export function describeBlock(b: FolioBlock): string {
  const last = b.head + 2 ** b.order - 1;
  return `frames ${b.head}–${last}: ${b.label} (${describeFrame(b.cls)})`;
}
