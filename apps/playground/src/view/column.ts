/**
 * One column: its policy and kernel era ("pin-bias @ v5.3", the era's release, summary and source
 * in a tooltip) and the policy's summary, how its run is going (expectations, hazards by
 * outcome), what the last step did under it, its page-frame grid and its lanes.
 */
import type { StepOutcome } from "../model/compare.js";
import { outcomeLabel } from "../model/compare.js";
import type { MachineAt } from "../model/machine-at.js";
import type { Recording } from "../model/recording.js";
import { eraTitle, type ResolvedEra } from "../model/run-plan.js";
import { h, replace } from "./dom.js";
import { FrameGrid } from "./frame-grid.js";
import { Lanes } from "./lanes.js";

/** What a column calls back. */
export interface ColumnEvents {
  /** A frame was selected. */
  select(pfn: number): void;
}

/** The view of one run (a policy on a kernel era). */
export class Column {
  /** The element to place. */
  readonly element: HTMLElement;
  /** The grid (tests and the app look cells up through it). */
  readonly grid: FrameGrid;
  private readonly lanes: Lanes;
  private readonly status: HTMLElement;
  private readonly last: HTMLElement;

  /** A column for `policy` (described by `summary`) on era `era`; `key` tells it from the other columns. */
  constructor(readonly policy: string, summary: string, events: ColumnEvents, readonly era: ResolvedEra, readonly key: string = policy) {
    const label = `${policy} @ ${era.id}`;
    this.grid = new FrameGrid(label, events);
    this.lanes = new Lanes(label, events);
    this.status = h("div", { class: "col-status" });
    this.last = h("div", { class: "col-last", attrs: { "aria-live": "polite" } });
    this.element = h("section", { class: "column", attrs: { "data-policy": policy, "data-kernel": era.id, "data-run": key, "aria-label": `policy ${policy} on kernel ${era.id}` } },
      h("header", { class: "col-head" },
        h("div", { class: "col-name" }, h("h2", {}, policy),
          h("span", { class: `col-era era-${era.source.replace(" ", "-")}`, title: eraTitle(era) }, ` @ ${era.id}`)),
        h("p", { class: "col-summary", title: summary }, summary)),
      this.status, this.last,
      h("h3", { class: "sub" }, "Page frames"), this.grid.element,
      h("h3", { class: "sub" }, "Address spaces and devices"), this.lanes.element);
  }

  /** Show position `m` of `rec`. `last` is the outcome of the step just run (if any) and whether it differs across columns. */
  update(rec: Recording, m: MachineAt, selected: number | undefined, differs: Uint8Array | undefined, last: { index: number; op: string; outcome: StepOutcome; differs: boolean } | undefined, names: ReadonlyMap<number, string>): void {
    const counts = { prevented: 0, detected: 0, undetected: 0 };
    for (const hz of m.hazards) counts[hz.outcome]++;
    const failed = rec.steps.slice(0, m.pos).reduce((n, s) => n + s.expectations.filter((e) => !e.pass).length + (s.error !== undefined ? 1 : 0), 0);
    replace(this.status,
      rec.setupError !== undefined ? h("span", { class: "chip bad" }, `cannot build the kernel: ${rec.setupError}`) : null,
      h("span", { class: failed === 0 ? "chip good" : "chip bad", title: "expectations checked in the steps run so far" }, failed === 0 ? "expectations hold" : `${failed} expectation(s) failed`),
      h("span", { class: `chip hz-undetected${counts.undetected > 0 ? " on" : ""}` }, `${counts.undetected} undetected`),
      h("span", { class: `chip hz-detected${counts.detected > 0 ? " on" : ""}` }, `${counts.detected} detected`),
      h("span", { class: `chip hz-prevented${counts.prevented > 0 ? " on" : ""}` }, `${counts.prevented} prevented`));
    if (last === undefined) replace(this.last, h("span", { class: "muted" }, "no step run yet"));
    else {
      replace(this.last,
        h("span", { class: "muted" }, `step ${last.index} ${last.op}: `),
        h("strong", { class: last.outcome.ok ? "" : "err" }, outcomeLabel(last.outcome)),
        last.outcome.shown === undefined ? null : h("span", { class: "col-result", title: "the step's result" }, ` → ${last.outcome.shown}`),
        last.outcome.passed ? null : h("span", { class: "chip bad" }, "expectation failed"),
        last.differs ? h("span", { class: "chip diff", title: "the columns disagree on this step" }, "differs") : null);
      this.last.classList.toggle("differs", last.differs);
    }
    this.grid.update(m, selected, differs);
    this.lanes.update(m, selected, names);
  }
}
