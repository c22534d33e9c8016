/**
 * Every hazard of every compared run: class (with what it means), outcome, device, step and
 * frame (both links), and the oracle's sentence; the run is named `policy @ era`. Hazards of
 * later steps are shown dimmed; hazards that another column does not have are marked, and so is
 * (issue 21) the hazard an opened explore finding is about.
 */
import type { Hazard } from "@pinlab/core";
import { HAZARD_CLASS_INFO, hazardClassInfo } from "../model/hazard-classes.js";
import type { Recording } from "../model/recording.js";
import { h, replace } from "./dom.js";
import { frameLink, stepLink, type LinkTargets } from "./links.js";

/** The hazard list. */
export class HazardList {
  /** The element to place. */
  readonly element: HTMLElement;

  private readonly list: HTMLElement;

  /** Make the list, under a fold-out key of the hazard classes. */
  constructor(private readonly targets: LinkTargets) {
    this.list = h("div", { class: "hazard-items" });
    this.element = h("div", { class: "hazards" }, hazardClassKey(), this.list);
  }

  /**
   * Show the hazards of `recs` at position `pos`; `distinct` holds per column key the indexes of hazards others lack;
   * `finding` is the hazard an explore finding is about (its column's key, class, outcome and step).
   */
  update(recs: readonly Recording[], pos: number, distinct: ReadonlyMap<string, ReadonlySet<number>>, finding?: FindingMark): void {
    const items: HTMLElement[] = [];
    for (const r of recs) {
      for (const g of groupHazards(r.hazards, distinct.get(r.key) ?? new Set())) {
        const hz = g.first;
        const later = hz.step >= pos;
        const isFinding = finding !== undefined && finding.key === r.key && finding.class === hz.class && finding.outcome === hz.outcome && finding.step === hz.step;
        items.push(h("li", { class: `hazard${later ? " later" : ""}${g.only ? " only" : ""}${isFinding ? " finding" : ""}`, attrs: { "data-policy": r.policy, "data-kernel": r.era.id, "data-run": r.key, "data-class": hz.class, "data-outcome": hz.outcome, "data-count": g.count, "data-finding": isFinding } },
          h("div", { class: "hz-line" },
            h("span", { class: "tag" }, r.label),
            h("strong", { class: `hz-class hc-${hz.class}`, title: hazardClassInfo(hz.class) }, hz.class),
            h("span", { class: `chip hz-${hz.outcome} on` }, hz.outcome),
            g.count > 1 ? h("span", { class: "chip" }, `×${g.count}`) : null,
            g.only ? h("span", { class: "chip diff", title: "another compared column has no such hazard at this step" }, "only here") : null,
            isFinding ? h("span", { class: "chip finding", title: "the hazard the opened explore finding shows" }, "the finding") : null,
            later ? h("span", { class: "muted" }, "(later)") : null),
          h("div", { class: "hz-line" }, stepLink(this.targets, hz.step),
            hz.pfn >= 0 ? frameLink(this.targets, hz.pfn) : null,
            g.count > 1 && g.last.pfn >= 0 ? h("span", { class: "muted" }, "…") : null,
            g.count > 1 && g.last.pfn >= 0 ? frameLink(this.targets, g.last.pfn) : null,
            h("span", { class: "muted" }, ` by ${hz.device}`)),
          h("p", { class: "hz-detail" }, hz.detail, g.count > 1 ? h("span", { class: "muted" }, ` (and ${g.count - 1} more like it)`) : null)));
      }
    }
    replace(this.list, items.length === 0 ? h("p", { class: "muted" }, "No hazard in any compared run.") : h("ul", { class: "hazard-list" }, ...items));
  }
}

/** (issue 21) The hazard an explore finding is about. */
export interface FindingMark {
  /** The column's key. */
  readonly key: string;
  /** The hazard class. */
  readonly class: string;
  /** The outcome. */
  readonly outcome: string;
  /** The step. */
  readonly step: number;
}

/** The key of the hazard classes: each class and what it means (a fold-out above the list). */
export function hazardClassKey(): HTMLElement {
  return h("details", { class: "hz-classes" }, h("summary", {}, "Hazard classes"),
    h("dl", {}, ...Object.entries(HAZARD_CLASS_INFO).flatMap(([cls, info]) => [h("dt", { class: `hc-${cls}` }, cls), h("dd", {}, info)])));
}

/** Consecutive hazards of one class, outcome, step and device, shown as one entry. */
export interface HazardGroup {
  /** The first hazard. */
  readonly first: Hazard;
  /** The last hazard. */
  readonly last: Hazard;
  /** How many. */
  readonly count: number;
  /** Some hazard of the group has no counterpart in another column. */
  readonly only: boolean;
}

/** Group consecutive alike hazards (a 2 MiB folio copied on write is 512 of them). */
export function groupHazards(hazards: readonly Hazard[], distinct: ReadonlySet<number>): HazardGroup[] {
  const out: HazardGroup[] = [];
  hazards.forEach((hz, i) => {
    const prev = out[out.length - 1];
    if (prev !== undefined && prev.first.class === hz.class && prev.first.outcome === hz.outcome && prev.first.step === hz.step && prev.first.device === hz.device) {
      out[out.length - 1] = { first: prev.first, last: hz, count: prev.count + 1, only: prev.only || distinct.has(i) };
    } else out.push({ first: hz, last: hz, count: 1, only: distinct.has(i) });
  });
  return out;
}
