/**
 * The stage: the scenario's title, (issue 21) the banner of an explore finding, the note shown while the editor's text is not the run shown,
 * one column per run (a policy on a kernel era: grid and lanes), the legend and the steps table; and the selected frame,
 * which the columns highlight.
 */
import type { Registry } from "../model/registry.js";
import { policySummary } from "../model/registry.js";
import { Session } from "../model/session.js";
import { Column } from "../view/column.js";
import { h, replace } from "../view/dom.js";
import { legend } from "../view/legend.js";
import { StepsTable } from "../view/steps-table.js";

/** What the stage tells the app. */
export interface StageHost {
  /** Go to position `pos` (a row of the steps table). */
  go(pos: number): void;
  /** Frame `pfn` was clicked in a column. */
  select(pfn: number): void;
}

/** Owns the stage's pieces, the columns and the selected frame. */
export class StageController {
  /** The stage (place it in the layout). */
  readonly element: HTMLElement;
  private readonly title: HTMLElement;
  private readonly columnsEl: HTMLElement;
  private readonly steps: StepsTable;
  private columns: Column[] = [];
  private selectedPfn: number | undefined;

  /** Make the stage around the `stepper` bar, with `banner` (an explore finding's) under the title. */
  constructor(private readonly registry: Registry, stepper: HTMLElement, private readonly host: StageHost, banner: HTMLElement) {
    this.title = h("div", { class: "scenario-title" });
    this.columnsEl = h("div", { class: "columns" });
    this.steps = new StepsTable((p) => host.go(p));
    this.element = h("main", { class: "stage" }, this.title, banner,
      h("p", { class: "stale-note", attrs: { role: "note" } }, "The editor's scenario has problems (listed under the editor); this is the last valid version."),
      stepper, this.columnsEl, legend(),
      h("h2", { class: "sub" }, "Steps in each column"), this.steps.element);
  }

  /** The selected frame, if any. */
  get selected(): number | undefined {
    return this.selectedPfn;
  }

  /** Select frame `pfn` (or none); the caller re-renders. */
  select(pfn: number | undefined): void {
    this.selectedPfn = pfn;
  }

  /** Mark the stage as showing a run that is not the editor's text (or no longer). */
  setStale(stale: boolean): void {
    this.element.classList.toggle("stale", stale);
  }

  /** Set up for a new session: its title and one empty column per run. */
  show(session: Session): void {
    this.columns = session.recordings.map((r) => new Column(r.policy, policySummary(this.registry, r.policy), { select: (pfn) => this.host.select(pfn) }, r.era, r.key));
    replace(this.columnsEl, ...this.columns.map((c) => c.element));
    this.columnsEl.style.setProperty("--cols", String(this.columns.length));
    const header = session.scenario.header;
    replace(this.title, h("h1", {}, header.name), header.description !== undefined ? h("p", { class: "desc" }, header.description) : null);
  }

  /** Fill the steps table, once the session is recorded; `finding` is the step where an explore finding shows. */
  recorded(session: Session, finding?: number): void {
    this.steps.rebuild(session.recordings, session.view.comparison, session.summaries, session.threads, finding);
  }

  /** Show position `pos` of `session` in the columns and mark it in the steps table. */
  render(session: Session, pos: number): void {
    this.renderColumns(session, pos);
    this.steps.mark(pos);
  }

  /** Show position `pos` of `session` in the columns (the frames that differ between them highlighted). */
  renderColumns(session: Session, pos: number): void {
    const machines = this.columns.map((_, i) => session.machine(i, pos));
    const differs = Session.frameDifferences(machines);
    const row = pos > 0 ? session.view.comparison[pos - 1] : undefined;
    this.columns.forEach((c, i) => {
      const rec = session.recorders[i].recording;
      const outcome = row?.outcomes.get(c.key);
      c.update(rec, machines[i], this.selectedPfn, differs, row !== undefined && outcome !== undefined ? { index: row.index, op: row.op, outcome, differs: row.differs } : undefined, session.mmapNames(i));
    });
  }
}
