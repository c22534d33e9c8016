/**
 * The selected frame under each compared policy, field by field; rows where the policies
 * disagree are highlighted. A box selects a frame by number. The fields a scenario's `page:`
 * expectation checks carry its names and meanings (`refcount` and `entire_mapcount` of the folio,
 * `mapcount` as /proc/kpagecount, `pmd_mapped`, `folio_order`, `huge_zero_page`, `pincount`,
 * `maybe_dma_pinned`), so what the panel shows is what a `check` step would read.
 */
import { PAGE_SIZE } from "@pinlab/core";
import { pteKeyParts } from "../model/capture.js";
import { blockAt, folioBlocks } from "../model/folio-blocks.js";
import { entireMapcount, folioOf, mappingsOf, pageMapcount } from "../model/folio.js";
import { frameRow, type MachineAt } from "../model/machine-at.js";
import { classifyFrame, describeFrame, F, frameFlagNames, isHugeZero } from "../model/frame-state.js";
import { h, hex, replace } from "./dom.js";

/** Most mappings listed for one frame. */
const MAX_LISTED = 8;

/** The details panel. */
export class FrameDetails {
  /** The element to place. */
  readonly element: HTMLElement;
  private readonly input: HTMLInputElement;
  private readonly body: HTMLElement;

  /** Make the panel; `select(pfn)` selects a frame. */
  constructor(select: (pfn: number) => void) {
    this.input = h("input", { id: "frame-input", attrs: { type: "number", min: 0, inputmode: "numeric", placeholder: "pfn" } });
    const form = h("form", {
      class: "frame-form",
      on: {
        submit: (e) => {
          e.preventDefault();
          const n = Number(this.input.value);
          if (Number.isInteger(n) && n >= 0) select(n);
        },
      },
    }, h("label", { attrs: { for: "frame-input" } }, "Frame"), this.input, h("button", { attrs: { type: "submit" } }, "Show"));
    this.body = h("div", { class: "frame-body" });
    this.element = h("div", { class: "frame-details" }, form, this.body);
  }

  /** Show frame `pfn` in each of `machines` (one per column). */
  update(pfn: number | undefined, machines: readonly MachineAt[]): void {
    if (pfn === undefined || machines.length === 0) {
      replace(this.body, h("p", { class: "muted" }, "Click a cell of a grid, a page in a lane, or a frame link in the hazards or events, or type a frame number."));
      return;
    }
    if (document.activeElement !== this.input) this.input.value = String(pfn);
    const cols = machines.map((m) => frameFacts(m, pfn));
    const fields = Object.keys(cols[0]);
    const rows = fields.map((f) => {
      const values = cols.map((c) => c[f]);
      const differs = new Set(values).size > 1;
      return h("tr", { class: differs ? "differs" : "" }, h("th", { attrs: { scope: "row" } }, f), ...values.map((v) => h("td", {}, v)));
    });
    const m0 = machines[0];
    replace(this.body,
      h("h3", { class: "frame-title" }, `Frame ${pfn}`, h("span", { class: "muted" }, ` · zone ${m0.region.zones.find((z) => pfn >= z.start && pfn < z.start + z.total)?.name ?? "?"}`)),
      h("table", { class: "facts", attrs: { "aria-label": `frame ${pfn} in each column` } },
        h("thead", {}, h("tr", {}, h("th", {}, ""), ...machines.map((m) => h("th", { attrs: { scope: "col" } }, m.label)))),
        h("tbody", {}, ...rows)));
  }
}

/** The facts shown about `pfn` at `m`, as field -> text. */
export function frameFacts(m: MachineAt, pfn: number): Record<string, string> {
  const row = frameRow(m, pfn);
  const holders = m.holders.get(pfn) ?? [];
  if (row === undefined) return { state: m.region.indexOf(pfn) < 0 ? "not shown (never used)" : "free" };
  const c = classifyFrame(row, holders.length > 0);
  const flags = row[F.flags];
  const owner = c.kind === "file" || (c.kind === "orphan" && row[F.mapping] !== 0 && frameFlagNames(row).includes("file"))
    ? `file "${m.inodeNames.get(row[F.mapping]) ?? `#${row[F.mapping]}`}" page ${row[F.index]}`
    : c.kind === "anon" ? `anon_vma #${row[F.mapping]}, vpn ${hex(row[F.index])}` : "—";
  const maps = mappingsOf(m, pfn);
  const mapped = maps.map(({ key, pmd }) => {
    const { pid, vpn } = pteKeyParts(key);
    return `${m.views.procs.find((p) => p.pid === pid)?.name ?? `pid ${pid}`} @ ${hex(vpn * PAGE_SIZE)}${pmd ? " (PMD)" : ""}`;
  });
  const folio = folioOf(m, pfn, row);
  const block = blockAt(folioBlocks(m), m.region.indexOf(folio.head));
  const devs: string[] = [];
  for (const d of m.views.devices) for (const f of d.frames) if (f.pfn === pfn) devs.push(`${d.name} ${f.label}`);
  return {
    state: describeFrame(c),
    refcount: String(folio.headRow[F.refcount]),
    mapcount: String(pageMapcount(folio, row)),
    entire_mapcount: String(entireMapcount(folio)),
    pmd_mapped: pmdMapped(maps),
    folio_order: String(folio.order),
    folio: folio.order === 0 ? "—" : `${block?.label ?? `order ${folio.order}`} · frames ${folio.head}–${folio.head + folio.nr - 1}, page ${pfn - folio.head}`,
    huge_zero_page: isHugeZero(row) ? "yes" : "no",
    pincount: String(row[F.pincount]),
    maybe_dma_pinned: row[F.maybePinned] !== 0 ? "yes" : "no",
    "held by (oracle)": holders.length > 0 ? holders.join(", ") : "—",
    "device view": devs.length > 0 ? devs.join(", ") : "—",
    "mapped at": mapped.length === 0 ? "—" : mapped.length <= MAX_LISTED ? mapped.join(", ") : `${mapped.slice(0, MAX_LISTED).join(", ")} and ${mapped.length - MAX_LISTED} more`,
    owner,
    flags: flags === 0 ? "—" : frameFlagNames(row).join(" "),
  };
}

/** Whether PMD leaves map a frame: "yes" (every mapping), "no", or how many of its mappings are PMD leaves. */
function pmdMapped(maps: ReadonlyArray<{ readonly pmd: boolean }>): string {
  const n = maps.filter((x) => x.pmd).length;
  return n === 0 ? "no" : n === maps.length ? "yes" : `${n} of ${maps.length} mappings`;
}
