/**
 * Every hazard of every compared run: class, outcome, device, step and frame (both links), and
 * the oracle's sentence. Hazards of later steps are shown dimmed; hazards that another column
 * does not have are marked.
 */
import type { Recording } from "../model/recording.js";
import { h, replace } from "./dom.js";
import { frameLink, stepLink, type LinkTargets } from "./links.js";

/** The hazard list. */
export class HazardList {
  /** The element to place. */
  readonly element: HTMLElement;

  /** Make the list. */
  constructor(private readonly targets: LinkTargets) {
    this.element = h("div", { class: "hazards" });
  }

  /** Show the hazards of `recs` at position `pos`; `distinct` holds per policy the indexes of hazards others lack. */
  update(recs: readonly Recording[], pos: number, distinct: ReadonlyMap<string, ReadonlySet<number>>): void {
    const items: HTMLElement[] = [];
    for (const r of recs) {
      r.hazards.forEach((hz, i) => {
        const later = hz.step >= pos;
        const only = distinct.get(r.policy)?.has(i) === true;
        items.push(h("li", { class: `hazard${later ? " later" : ""}${only ? " only" : ""}`, attrs: { "data-policy": r.policy, "data-class": hz.class, "data-outcome": hz.outcome } },
          h("div", { class: "hz-line" },
            h("span", { class: "tag" }, r.policy),
            h("strong", {}, hz.class),
            h("span", { class: `chip hz-${hz.outcome} on` }, hz.outcome),
            only ? h("span", { class: "chip diff", title: "another compared policy has no such hazard at this step" }, "only here") : null,
            later ? h("span", { class: "muted" }, "(later)") : null),
          h("div", { class: "hz-line" }, stepLink(this.targets, hz.step), hz.pfn >= 0 ? frameLink(this.targets, hz.pfn) : null, h("span", { class: "muted" }, ` by ${hz.device}`)),
          h("p", { class: "hz-detail" }, hz.detail)));
      });
    }
    replace(this.element, items.length === 0 ? h("p", { class: "muted" }, "No hazard in any compared run.") : h("ul", { class: "hazard-list" }, ...items));
  }
}
