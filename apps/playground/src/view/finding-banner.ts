/**
 * (issue 21) The banner over an explore finding (a scenario `pinlab explore` wrote): what it
 * shows (class and outcome, policy and kernel era), the order it fixes, the scenario it was
 * explored from, and where it shows in the columns, with a button going to that step.
 */
import { orderText, type FindingHeader } from "../model/finding-header.js";
import type { FindingTarget } from "../model/finding-target.js";
import { h, replace } from "./dom.js";

/** The banner (hidden when the scenario is not a finding). */
export class FindingBanner {
  /** The element to place. */
  readonly element: HTMLElement;

  /** Make the banner; `go()` goes to where the finding shows. */
  constructor(private readonly go: () => void) {
    this.element = h("section", { class: "finding-banner", attrs: { role: "note", "aria-label": "explore finding" } });
    this.element.hidden = true;
  }

  /** Show finding `f` (none: hide); `target` is where it shows, undefined while recording or when no column runs its policy; `recorded` once the columns are. */
  update(f: FindingHeader | undefined, target: FindingTarget | undefined, recorded: boolean): void {
    this.element.hidden = f === undefined;
    if (f === undefined) {
      replace(this.element);
      return;
    }
    const el = this.element;
    el.dataset.class = f.class;
    el.dataset.outcome = f.outcome;
    el.dataset.policy = f.policy;
    el.dataset.kernel = f.kernel;
    const what = f.class === "expectation" ? `expectation failed: ${f.outcome}` : `${f.class} ${f.outcome}`;
    replace(el,
      h("div", { class: "fb-line" },
        h("strong", {}, "Explore finding: "),
        h("span", { class: `fb-what${f.class === "expectation" ? "" : ` hz-${f.outcome}`}` }, what),
        h("span", {}, ` under ${f.policy} @ ${f.kernel}`)),
      f.order !== undefined ? h("div", { class: "fb-line fb-order" },
        h("span", { class: "muted" }, `order (${f.preemptions ?? 0} preemption${f.preemptions === 1 ? "" : "s"}): `), orderText(f.order)) : null,
      f.source !== undefined ? h("div", { class: "fb-line muted" }, `explored from ${f.source}`) : null,
      h("div", { class: "fb-line fb-where" }, ...where(f, target, recorded, this.go)));
  }
}

function where(f: FindingHeader, t: FindingTarget | undefined, recorded: boolean, go: () => void): (HTMLElement | string)[] {
  if (t === undefined) return [h("span", { class: "muted" }, `no column runs ${f.policy}: check it to see the finding`)];
  const era = t.sameEra ? "" : ` (it was found @ ${f.kernel})`;
  if (t.step === undefined) return [h("span", { class: "muted" }, recorded ? `it does not show in column ${t.label}${era}` : `recording column ${t.label}…`)];
  return [`shows at step ${t.step} in column ${t.label}${era} `,
    h("button", { id: "finding-go", attrs: { type: "button", "data-step": t.step }, title: "go to the position right after that step and show the hazards", on: { click: go } }, `Go to step ${t.step}`)];
}
