/**
 * A frame's folio at a recorded position, as the scenario format reads it (`pageState()` in
 * @pinlab/core): the folio's refcount and entire mapcount live on its head; a page's mapcount is
 * its own PTE mappings plus its folio's PMD mappings (`folio_precise_page_mapcount()`, as
 * /proc/kpagecount); whether a page is PMD-mapped is a property of the page-table entries that
 * map it, so it comes from the recorded PTE rows.
 */
import { PTE_HUGE } from "@pinlab/core";
import { mapsFrame } from "./capture.js";
import { F, folioHead } from "./frame-state.js";
import { frameRow, type MachineAt } from "./machine-at.js";

/** The folio of a shown frame. */
export interface FolioOf {
  /** The head frame. */
  readonly head: number;
  /** The head's row (the frame's own row when the head is not shown). */
  readonly headRow: ArrayLike<number>;
  /** The folio's order (0 for a 4 KiB page, 9 for 2 MiB). */
  readonly order: number;
  /** Frames in the folio. */
  readonly nr: number;
}

/** The folio holding frame `pfn` whose row is `row`. */
export function folioOf(m: MachineAt, pfn: number, row: ArrayLike<number>): FolioOf {
  const head = folioHead(pfn, row);
  const headRow = head === pfn ? row : frameRow(m, head) ?? row;
  const order = row[F.order];
  return { head, headRow, order, nr: 2 ** order };
}

/** The folio's PMD-level mappings (`folio_entire_mapcount()`; 0 for a small folio). */
export function entireMapcount(folio: FolioOf): number {
  return folio.order > 0 ? folio.headRow[F.entireMapcount] : 0;
}

/** The mappings of the page `row` as /proc/kpagecount counts them: its PTEs plus its folio's PMD mappings. */
export function pageMapcount(folio: FolioOf, row: ArrayLike<number>): number {
  return row[F.mapcount] + entireMapcount(folio);
}

/** Who maps frame `pfn`: one entry per page-table entry reaching it, with its pid, page number and whether it is a PMD leaf. */
export function mappingsOf(m: MachineAt, pfn: number): Array<{ readonly key: number; readonly pmd: boolean }> {
  const out: Array<{ key: number; pmd: boolean }> = [];
  for (const [key, pte] of m.ptes) if (pte[0] === pfn && mapsFrame(pte)) out.push({ key, pmd: (pte[1] & PTE_HUGE) !== 0 });
  return out;
}
