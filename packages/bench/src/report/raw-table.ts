/**
 * The report's raw results table: one row per cell, scrolling inside its own box so the page
 * never overflows, sortable by a click on a header, filtered by a text box, and each cell can be
 * opened (a row under it, see {@link renderCellDetails}). The sorting, filtering and opening are a
 * few lines of vanilla script inlined in the page ({@link RAW_TABLE_SCRIPT}): the report stays one
 * file that fetches nothing.
 * @module
 */
import { MAIN_SERIES } from "../probe/sample-probe.js";
import type { CellResult } from "../runner/cell.js";
import type { BenchResults } from "../runner/results.js";
import { sweepLabel } from "../runner/sweep-coordinates.js";
import { renderCellDetails } from "./cell-details.js";
import { cellLabel, esc, fmtBytes, fmtCounts, fmtKernel, fmtNs, fmtRate } from "./format.js";
import { fmtHazardsSpread, fmtRefusedSpread, withSpread } from "./spread-format.js";

/** The raw table's styles: its scrolling box, the counters column that wraps, the opened rows. */
export const RAW_TABLE_CSS = `
.scroll { overflow-x: auto; max-width: 100%; }
table.raw th[data-sort] { cursor: pointer; user-select: none; white-space: nowrap; }
table.raw th[aria-sort="ascending"]::after { content: " \\25B2"; } table.raw th[aria-sort="descending"]::after { content: " \\25BC"; }
table.raw td.counters { min-width: 180px; max-width: 320px; overflow-wrap: anywhere; }
table.raw button.open { font: inherit; width: 22px; padding: 0; margin-right: 4px; cursor: pointer; }
table.raw tr[data-cell] > td:first-child { white-space: nowrap; }
tr.detail > td { background: #fafafc; } .cell-details table { margin: 4px 0 8px; } .cell-details code { overflow-wrap: anywhere; }
.cell-details { position: sticky; left: 8px; max-width: min(1140px, calc(100vw - 64px)); }
.raw-tools { display: flex; gap: 12px; align-items: center; } .raw-tools input { font: inherit; padding: 3px 6px; min-width: 280px; }
`;

/**
 * Sort on a header click (numbers by their `data-v`, text otherwise; again to reverse), filter on
 * the text box (a row stays when its text holds every word typed), open or close a cell with its
 * button. A cell's opened row moves and hides with it.
 */
export const RAW_TABLE_SCRIPT = `(() => {
  const table = document.querySelector("table.raw");
  if (!table) return;
  const body = table.tBodies[0];
  const pairs = () => [...body.querySelectorAll("tr[data-cell]")].map((r) => [r, r.nextElementSibling]);
  const heads = [...table.tHead.rows[0].cells];
  heads.forEach((th, i) => th.addEventListener("click", () => {
    const dir = th.getAttribute("aria-sort") === "ascending" ? -1 : 1;
    heads.forEach((h) => h.removeAttribute("aria-sort"));
    th.setAttribute("aria-sort", dir === 1 ? "ascending" : "descending");
    const num = th.dataset.sort === "num";
    const key = (r) => { const v = r.cells[i].dataset.v; return num ? (v === undefined || v === "" ? Infinity : Number(v)) : r.cells[i].textContent.trim(); };
    const sorted = pairs().sort(([a], [b]) => { const x = key(a), y = key(b); return dir * (num ? (x === y ? 0 : x < y ? -1 : 1) : String(x).localeCompare(String(y))); });
    for (const [r, d] of sorted) body.append(r, d);
  }));
  const filter = document.getElementById("raw-filter");
  const count = document.getElementById("raw-count");
  const apply = () => {
    const words = filter.value.toLowerCase().split(/\\s+/).filter((w) => w !== "");
    let shown = 0;
    for (const [r, d] of pairs()) {
      const text = (r.dataset.cell + " " + r.textContent).toLowerCase();
      const hit = words.every((w) => text.includes(w));
      r.hidden = !hit;
      d.hidden = !hit || r.querySelector("button.open").getAttribute("aria-expanded") !== "true";
      if (hit) shown += 1;
    }
    count.textContent = shown + " of " + pairs().length + " cells";
  };
  filter.addEventListener("input", apply);
  body.addEventListener("click", (e) => {
    const b = e.target.closest("button.open");
    if (!b) return;
    const open = b.getAttribute("aria-expanded") !== "true";
    b.setAttribute("aria-expanded", String(open));
    b.textContent = open ? "\\u2212" : "+";
    b.closest("tr").nextElementSibling.hidden = !open;
  });
  apply();
})();`;

/** A header: `num` columns sort by their cells' `data-v`. */
const HEADERS: readonly (readonly [string, "num" | "text"])[] = [
  ["workload", "text"], ["device", "text"], ["policy", "text"], ["kernel", "text"], ["hazards (P/D/U)", "num"], ["refused", "num"], ["FP", "num"], ["FN", "num"],
  ["accounting", "num"], ["sim ns/page", "num"], ["wall pin ns/page (±rme, p99)", "num"], ["wall release ns/page (±rme, p99)", "num"], ["counters", "text"], ["ms", "num"],
];

/** `<td>` of a number column: the shown text, and the value it sorts by (none for a missing figure). */
function numCell(text: string, v: number | null | undefined): string {
  return `<td class="num"${v === null || v === undefined ? "" : ` data-v="${v}"`}>${esc(text)}</td>`;
}

function total(record: Readonly<Record<string, number | Readonly<Record<string, number>> | undefined>>): number {
  return Object.values(record).reduce<number>((a, v) => a + (typeof v === "number" ? v : Object.values(v ?? {}).reduce((x, n) => x + n, 0)), 0);
}

function rawRow(c: CellResult): string {
  const m = c.metrics;
  const main = c.series.find((s) => s.id === MAIN_SERIES);
  const timing = (k: "pin" | "release") => {
    const st = main?.[k];
    return numCell(st === null || st === undefined ? "-" : `${withSpread(c, `wallNsPerPage.${k}`, fmtNs(st.median), fmtNs)} (±${st.rme.toFixed(0)}%, p99 ${fmtNs(st.p99)}, n=${st.samples})`, st?.median);
  };
  const swept = c.sweep !== undefined ? `<br>swept: <code>${esc(sweepLabel(c.workload, c.policy, c.sweep))}</code>` : "";
  const seeds = c.replicates !== undefined ? `<br><span class="muted">${c.replicates.length} seeds</span>` : "";
  return `<tr data-cell="${esc(c.id)}"><td><button type="button" class="open" aria-expanded="false" title="open this cell: its parameters, seed, story and the command that runs it again">+</button>${esc(cellLabel(c))}</td><td>${esc(c.device)}</td>`
    + `<td>${esc(c.policy)}${Object.keys(c.policyOptions).length > 0 ? `<br><code>${esc(JSON.stringify(c.policyOptions))}</code>` : ""}${swept}${seeds}</td><td>${esc(fmtKernel(c))}</td>`
    + `<td data-v="${total(m.hazards)}">${esc(c.error !== undefined ? `ERROR: ${c.error}` : fmtHazardsSpread(c) || "-")}</td><td data-v="${total(m.refused)}">${esc(fmtRefusedSpread(c) || "-")}</td>`
    + numCell(withSpread(c, "falsePositiveRate", fmtRate(m.falsePositiveRate), fmtRate), m.falsePositiveRate) + numCell(withSpread(c, "falseNegativeRate", fmtRate(m.falseNegativeRate), fmtRate), m.falseNegativeRate)
    + numCell(withSpread(c, "accountingBytes", fmtBytes(m.accountingBytes), fmtBytes), m.accountingBytes) + numCell(withSpread(c, "simNsPerPage", fmtNs(m.simNsPerPage), fmtNs), m.simNsPerPage)
    + timing("pin") + timing("release")
    + `<td class="muted counters">${esc(fmtCounts(c.counters))}</td>${numCell(String(Math.round(c.durationMs)), Math.round(c.durationMs))}</tr>`;
}

/** The raw results section: the filter box, then the table in its scrolling box. */
export function renderRawTable(results: BenchResults): string {
  const rows = results.cells.map((c) => `${rawRow(c)}<tr class="detail" data-detail-for="${esc(c.id)}" hidden><td colspan="${HEADERS.length}">${renderCellDetails(c, results.context)}</td></tr>`);
  return `<section id="raw"><h2>Raw results</h2><p class="raw-tools"><input type="search" id="raw-filter" placeholder="filter: words a row must hold (workload, policy, errno...)" aria-label="filter the raw results"> <span id="raw-count" class="muted">${results.cells.length} of ${results.cells.length} cells</span> <span class="muted">Click a header to sort, + to open a cell.</span></p>`
    + `<div class="scroll"><table class="raw"><thead><tr>${HEADERS.map(([h, kind]) => `<th data-sort="${kind}">${esc(h)}</th>`).join("")}</tr></thead><tbody>${rows.join("")}</tbody></table></div></section>`;
}
