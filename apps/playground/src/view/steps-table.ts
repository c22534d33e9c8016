/**
 * The steps of the scenario against the compared columns (policies, or a policy at several kernel
 * eras): what each step did in each column, rows where the columns disagree highlighted, the step just run marked. Click a row to go to
 * the position right after that step. (issue 21) A scenario with concurrent blocks gets a thread
 * column (`wb 1/2`, and "inside step N at <point>" for a step run at another's preemption point),
 * and the step where an opened explore finding shows is marked.
 */
import type { StepComparison } from "../model/compare.js";
import { outcomeLabel } from "../model/compare.js";
import { nestedLabel, threadLabel, type StepThread } from "../model/step-threads.js";
import { h, replace } from "./dom.js";

/** The table. */
export class StepsTable {
  /** The element to place. */
  readonly element: HTMLElement;
  private readonly body: HTMLTableSectionElement;
  private readonly head: HTMLTableRowElement;
  private rows: HTMLTableRowElement[] = [];
  private current = -1;

  /** Make the table; `go(pos)` moves to a position. */
  constructor(private readonly go: (pos: number) => void) {
    this.head = h("tr");
    this.body = h("tbody");
    this.element = h("div", { class: "steps-wrap" },
      h("table", { class: "steps", attrs: { "aria-label": "steps and their outcome in each column" } }, h("thead", {}, this.head), this.body));
  }

  /**
   * Rebuild for a new comparison of `columns` (a key of the rows' outcomes and a header each). `summaries[i]` describes step i,
   * `threads[i]` is its thread in a concurrent block (a thread column when any step has one); `finding` is the step where an explore finding shows.
   */
  rebuild(columns: ReadonlyArray<{ readonly key: string; readonly label: string }>, rows: readonly StepComparison[], summaries: readonly string[], threads: readonly (StepThread | undefined)[] = [], finding?: number): void {
    const policies = columns.map((c) => c.key);
    const threaded = threads.some((t) => t !== undefined);
    replace(this.head, h("th", { attrs: { scope: "col" } }, "#"), threaded ? h("th", { attrs: { scope: "col" } }, "thread") : null, h("th", { attrs: { scope: "col" } }, "step"),
      ...columns.map((c) => h("th", { attrs: { scope: "col", "data-run": c.key } }, c.label)));
    this.rows = rows.map((r) => {
      const t = threads[r.index];
      const isFinding = r.index === finding;
      const tr = h("tr", {
        class: [r.differs ? "differs" : "", isFinding ? "finding" : ""].join(" ").trim(),
        attrs: {
          "data-step": r.index, "data-thread": t?.thread, "data-finding": isFinding, tabindex: 0,
          title: [r.differs ? "the columns disagree on this step" : "", isFinding ? "the explore finding shows here" : ""].filter((x) => x !== "").join("; ") || undefined,
        },
        on: {
          click: () => this.go(r.index + 1),
          keydown: (e) => {
            if (e.key === "Enter") this.go(r.index + 1);
          },
        },
      },
      h("td", { class: "num" }, r.index),
      threaded ? h("td", { class: "thread" }, t === undefined ? "" : threadLabel(t), nestedLabel(t) !== undefined ? h("span", { class: "nested" }, ` ${nestedLabel(t)}`) : null) : null,
      h("td", { class: "op" }, summaries[r.index] ?? r.op),
      ...policies.map((p) => {
        const o = r.outcomes.get(p);
        if (o === undefined) return h("td", { class: "muted" }, "…");
        const cls = [o.error !== undefined || o.errno !== null ? "err" : "", o.hazards.some((x) => x.endsWith(":undetected")) ? "hz-u" : o.hazards.length > 0 ? "hz" : "", o.passed ? "" : "failed"].join(" ").trim();
        return h("td", { class: cls, title: o.error ?? (o.passed ? o.shown : "an expectation failed") }, outcomeLabel(o), o.passed ? null : " ✗");
      }));
      return tr;
    });
    replace(this.body, ...this.rows);
    this.current = -1;
  }

  /** Mark the step just run at position `pos` (step pos-1). */
  mark(pos: number): void {
    const idx = pos - 1;
    if (this.current >= 0) this.rows[this.current]?.classList.remove("current");
    this.current = idx;
    const row = this.rows[idx];
    if (row === undefined) return;
    row.classList.add("current");
    const wrap = this.element;
    const top = row.offsetTop - wrap.clientHeight / 2;
    if (row.offsetTop < wrap.scrollTop + 24 || row.offsetTop > wrap.scrollTop + wrap.clientHeight - 24) wrap.scrollTop = Math.max(0, top);
  }
}
