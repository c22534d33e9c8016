/**
 * The playground: wires the editor, the library picker, the policy choice, the stepper, the
 * columns, the steps table and the side panels to one {@link Session}, and keeps the URL
 * fragment in step with what is shown.
 */
import { loadScenario, ScenarioError, type LoadedScenario, type ScenarioProblem } from "@pinlab/core";
import { firstDivergence } from "./model/compare.js";
import { counterCharts } from "./model/counter-series.js";
import { problemsToDiagnostics } from "./model/diagnostics.js";
import { LIBRARY, libraryEntry } from "./model/library.js";
import { policySummary, type Registry } from "./model/registry.js";
import { Session } from "./model/session.js";
import { decodeState, encodeState } from "./model/share.js";
import { Column } from "./view/column.js";
import { CounterCharts } from "./view/counter-charts.js";
import { h, replace } from "./view/dom.js";
import { ScenarioEditor } from "./view/editor.js";
import { EventLog } from "./view/event-log.js";
import { FrameDetails } from "./view/frame-details.js";
import { HazardList } from "./view/hazard-list.js";
import { helpDialog } from "./view/help.js";
import { legend } from "./view/legend.js";
import { StepsTable } from "./view/steps-table.js";
import { Stepper } from "./view/stepper.js";
import { Tabs } from "./view/tabs.js";

/** The scenario opened when the URL names none. */
export const DEFAULT_SCENARIO = "rdma-mr-fork";
/** The policies compared by default. */
export const DEFAULT_POLICIES = ["legacy-get", "pin-bias"];

const PLAY_SPEEDS = [["slow", 1200], ["normal", 600], ["fast", 200]] as const;

/** The application. */
export class App {
  private readonly editor: ScenarioEditor;
  private readonly picker: HTMLSelectElement;
  private readonly policyBoxes = new Map<string, HTMLInputElement>();
  private readonly title: HTMLElement;
  private readonly stage: HTMLElement;
  private readonly status: HTMLElement;
  private readonly stepper: Stepper;
  private readonly columnsEl: HTMLElement;
  private readonly steps: StepsTable;
  private readonly details: FrameDetails;
  private readonly hazards: HazardList;
  private readonly events: EventLog;
  private readonly charts: CounterCharts;
  private readonly tabs: Tabs;
  private readonly help: HTMLDialogElement;
  private readonly speed: HTMLSelectElement;
  private columns: Column[] = [];
  private session: Session | undefined;
  private pos = 0;
  private selected: number | undefined;
  private wantedPos = 0;
  private playing: ReturnType<typeof setInterval> | undefined;
  private validateTimer: ReturnType<typeof setTimeout> | undefined;
  private urlTimer: ReturnType<typeof setTimeout> | undefined;
  private runToken = 0;
  /** Milliseconds the last position change took to render (measured). */
  lastRenderMs = 0;

  /** Build the page inside `root`. */
  constructor(private readonly root: HTMLElement, private readonly registry: Registry) {
    this.editor = new ScenarioEditor({ change: () => this.scheduleValidate(), run: () => this.validate(true) });
    this.picker = h("select", { id: "scenario-picker", on: { change: () => this.pick(this.picker.value) } },
      h("option", { attrs: { value: "" } }, "(your scenario)"),
      ...LIBRARY.map((e) => h("option", { attrs: { value: e.id }, title: e.description }, e.id)));
    const policyList = h("fieldset", { class: "policies" }, h("legend", {}, "Policies"),
      ...registry.policyIds.map((id) => {
        const box = h("input", { id: `pol-${id}`, attrs: { type: "checkbox", value: id }, on: { change: () => this.policiesChanged(box) } });
        this.policyBoxes.set(id, box);
        return h("label", { attrs: { for: `pol-${id}` }, title: policySummary(registry, id) }, box, id);
      }));
    this.help = helpDialog();
    this.speed = h("select", { id: "play-speed", attrs: { "aria-label": "play speed" } }, ...PLAY_SPEEDS.map(([n, ms]) => h("option", { attrs: { value: ms, selected: n === "normal" } }, n)));
    const share = h("button", { attrs: { type: "button" }, on: { click: () => void this.copyLink() } }, "Copy link");
    this.status = h("span", { class: "status", attrs: { role: "status" } });
    const editorToggle = h("button", { attrs: { type: "button", "aria-pressed": "true" }, on: { click: () => this.toggleEditor(editorToggle) } }, "Editor");
    const header = h("header", { class: "topbar" },
      h("span", { class: "brand" }, "pinlab playground"),
      h("label", { attrs: { for: "scenario-picker" } }, "Scenario"), this.picker,
      policyList,
      h("label", { attrs: { for: "play-speed" } }, "Speed"), this.speed,
      editorToggle, share,
      h("button", { attrs: { type: "button", "aria-keyshortcuts": "?" }, on: { click: () => this.help.showModal() } }, "Help (?)"),
      this.status);
    this.title = h("div", { class: "scenario-title" });
    this.stepper = new Stepper({ go: (p) => this.go(p), togglePlay: () => this.togglePlay(), nextDifference: (d) => this.nextDifference(d) });
    this.columnsEl = h("div", { class: "columns" });
    this.steps = new StepsTable((p) => this.go(p));
    const links = { go: (p: number) => this.go(p), select: (pfn: number) => this.select(pfn, true) };
    this.details = new FrameDetails((pfn) => this.select(pfn, false));
    this.hazards = new HazardList(links);
    this.events = new EventLog(links);
    this.charts = new CounterCharts();
    this.tabs = new Tabs([
      { id: "frame", label: "Frame", panel: this.details.element },
      { id: "hazards", label: "Hazards", panel: this.hazards.element },
      { id: "events", label: "Events", panel: this.events.element },
      { id: "counters", label: "Counters", panel: this.charts.element },
    ], () => this.renderSide());
    replace(root, header,
      h("div", { class: "layout" },
        h("aside", { class: "editor-pane", attrs: { "aria-label": "scenario editor" } }, this.editor.element),
        this.stage = h("main", { class: "stage" }, this.title,
          h("p", { class: "stale-note", attrs: { role: "note" } }, "The editor's scenario has problems (listed under the editor); this is the last valid version."),
          this.stepper.element, this.columnsEl, legend(),
          h("h2", { class: "sub" }, "Steps under each policy"), this.steps.element),
        h("aside", { class: "side", attrs: { "aria-label": "details" } }, this.tabs.element)),
      this.help);
    document.addEventListener("keydown", (e) => this.key(e));
    window.addEventListener("hashchange", () => void this.openFromUrl());
  }

  /** Open what the URL names, or the default scenario. */
  async start(): Promise<void> {
    if (!(await this.openFromUrl())) {
      this.setPolicies(DEFAULT_POLICIES);
      this.pick(DEFAULT_SCENARIO);
    }
  }

  /** The session being shown (tests and measurements). */
  get current(): Session | undefined {
    return this.session;
  }

  /** The current position. */
  get position(): number {
    return this.pos;
  }

  private async openFromUrl(): Promise<boolean> {
    let state;
    try {
      state = await decodeState(location.hash);
    } catch (e) {
      this.say(`cannot open the link: ${(e as Error).message}`);
      return false;
    }
    if (state === undefined) return false;
    const known = state.policies.filter((p) => this.registry.policyIds.includes(p));
    this.setPolicies(known.length > 0 ? known : DEFAULT_POLICIES);
    this.picker.value = LIBRARY.find((e) => e.text === state.text)?.id ?? "";
    this.wantedPos = state.pos;
    this.selected = state.pfn;
    this.editor.setText(state.text);
    this.validate(true);
    return true;
  }

  private pick(id: string): void {
    const entry = libraryEntry(id);
    if (entry === undefined) return;
    this.picker.value = id;
    this.wantedPos = 0;
    this.selected = undefined;
    this.editor.setText(entry.text);
    this.validate(true);
  }

  private setPolicies(ids: readonly string[]): void {
    for (const [id, box] of this.policyBoxes) box.checked = ids.includes(id);
  }

  private get policies(): string[] {
    return [...this.policyBoxes].filter(([, b]) => b.checked).map(([id]) => id);
  }

  private policiesChanged(box: HTMLInputElement): void {
    if (this.policies.length === 0) {
      box.checked = true;
      this.say("at least one policy must stay checked");
      return;
    }
    this.wantedPos = this.pos;
    this.validate(true);
  }

  private scheduleValidate(): void {
    if (this.picker.value !== "" && libraryEntry(this.picker.value)?.text !== this.editor.text) this.picker.value = "";
    clearTimeout(this.validateTimer);
    this.validateTimer = setTimeout(() => {
      this.wantedPos = this.pos;
      this.validate(true);
    }, 400);
  }

  /** Check the editor's text; when it is a valid scenario and `run`, record it under the checked policies. */
  private validate(run: boolean): void {
    clearTimeout(this.validateTimer);
    const text = this.editor.text;
    let loaded: LoadedScenario;
    try {
      loaded = loadScenario(text, "scenario.yaml", this.registry.plugins);
    } catch (e) {
      const problems: readonly ScenarioProblem[] = e instanceof ScenarioError ? e.problems : [{ file: "scenario.yaml", message: `internal error: ${(e as Error).message}` }];
      this.editor.setProblems(problemsToDiagnostics(text, problems), "");
      this.stage.classList.toggle("stale", this.session !== undefined);
      this.say(`${problems.length} problem(s) in the scenario`);
      this.scheduleUrl();
      return;
    }
    this.editor.setProblems([], `valid: ${loaded.steps.length} steps`);
    this.stage.classList.remove("stale");
    if (run) void this.run(loaded);
  }

  private async run(loaded: LoadedScenario): Promise<void> {
    this.stop();
    const token = ++this.runToken;
    const session = new Session(loaded, this.policies, this.registry);
    this.session = session;
    this.columns = session.policies.map((p) => new Column(p, policySummary(this.registry, p), { select: (pfn) => this.select(pfn, false) }));
    replace(this.columnsEl, ...this.columns.map((c) => c.element));
    this.columnsEl.style.setProperty("--cols", String(this.columns.length));
    replace(this.title, h("h1", {}, loaded.header.name), loaded.header.description !== undefined ? h("p", { class: "desc" }, loaded.header.description) : null);
    this.pos = 0;
    const started = performance.now();
    let shownAt = -Infinity;
    // While recording, show progress a few times a second: rebuilding the views on every slice would cost more than recording.
    await session.complete(30, () => {
      if (token !== this.runToken || session.done || performance.now() - shownAt < 1000) return;
      shownAt = performance.now();
      this.pos = Math.min(this.wantedPos, session.reachable);
      this.renderPosition();
      this.say(`recording… ${session.reachable}/${session.length}`);
    }, () => token !== this.runToken);
    if (token !== this.runToken) return;
    this.steps.rebuild(session.policies, session.view.comparison, session.summaries);
    this.pos = Math.min(this.wantedPos, session.reachable);
    this.renderPosition();
    this.say(`recorded ${session.length} steps × ${session.policies.length} policies in ${Math.round(performance.now() - started)} ms`);
    this.root.dataset.ready = "true";
  }

  /** Go to position `pos` (clamped). */
  go(pos: number): void {
    const s = this.session;
    if (s === undefined) return;
    const p = Math.max(0, Math.min(Math.round(pos), s.reachable));
    if (p === this.pos) return;
    this.pos = p;
    this.renderPosition();
  }

  private select(pfn: number, reveal: boolean): void {
    this.selected = pfn;
    if (reveal || this.tabs.selected !== "frame") this.tabs.select("frame");
    else this.renderSide();
    this.renderColumns();
    this.scheduleUrl();
  }

  private nextDifference(dir: 1 | -1): void {
    const s = this.session;
    if (s === undefined) return;
    const rows = s.view.comparison;
    // Position p shows step p-1; the next difference after it is a step >= p.
    const found = dir === 1 ? rows.find((r) => r.differs && r.index >= this.pos) : [...rows].reverse().find((r) => r.differs && r.index < this.pos - 1);
    if (found !== undefined) this.go(found.index + 1);
    else this.say(dir === 1 ? (firstDivergence(rows) < 0 ? "the policies never differ" : "no later difference") : "no earlier difference");
  }

  private togglePlay(): void {
    if (this.playing !== undefined) return this.stop();
    const s = this.session;
    if (s === undefined) return;
    if (this.pos >= s.length) this.go(0);
    this.playing = setInterval(() => {
      if (this.session === undefined || this.pos >= this.session.reachable) {
        if (this.session?.done !== false) this.stop();
        return;
      }
      this.go(this.pos + 1);
      // Stop on the tick that reaches the end, not one tick later: a jump made in between (a
      // step link, a key) would otherwise be played on from.
      if (this.session.done && this.pos >= this.session.length) this.stop();
    }, Number(this.speed.value));
    this.renderStepper();
  }

  private stop(): void {
    if (this.playing === undefined) return;
    clearInterval(this.playing);
    this.playing = undefined;
    this.renderStepper();
  }

  private renderPosition(): void {
    const s = this.session;
    if (s === undefined) return;
    const t0 = performance.now();
    this.renderStepper();
    this.renderColumns();
    this.steps.mark(this.pos);
    this.renderSide();
    this.lastRenderMs = performance.now() - t0;
    this.root.dataset.pos = String(this.pos);
    this.root.dataset.renderMs = this.lastRenderMs.toFixed(2);
    this.scheduleUrl();
  }

  private renderStepper(): void {
    const s = this.session;
    if (s === undefined) return;
    const last = this.pos > 0 ? `#${this.pos - 1} ${s.summaries[this.pos - 1]}` : undefined;
    const next = this.pos < s.length ? `#${this.pos} ${s.summaries[this.pos]}` : undefined;
    this.stepper.update(this.pos, s.length, last, next, this.pos > 0 ? s.scenario.steps[this.pos - 1].note : undefined, this.playing !== undefined);
  }

  private renderColumns(): void {
    const s = this.session;
    if (s === undefined) return;
    const machines = this.columns.map((_, i) => s.machine(i, this.pos));
    const differs = Session.frameDifferences(machines);
    const row = this.pos > 0 ? s.view.comparison[this.pos - 1] : undefined;
    this.columns.forEach((c, i) => {
      const rec = s.recorders[i].recording;
      const outcome = row?.outcomes.get(c.policy);
      c.update(rec, machines[i], this.selected, differs, row !== undefined && outcome !== undefined ? { index: row.index, op: row.op, outcome, differs: row.differs } : undefined, s.mmapNames(i));
    });
  }

  private renderSide(): void {
    const s = this.session;
    if (s === undefined) return;
    switch (this.tabs.selected) {
      case "frame":
        this.details.update(this.selected, this.columns.map((_, i) => s.machine(i, this.pos)));
        break;
      case "hazards":
        this.hazards.update(s.recordings, this.pos, s.view.distinct);
        break;
      case "events":
        this.events.update(s.recordings, this.pos);
        break;
      case "counters":
        this.charts.update(counterCharts(s.recordings, this.pos), this.pos);
        break;
    }
  }

  private scheduleUrl(): void {
    clearTimeout(this.urlTimer);
    this.urlTimer = setTimeout(() => void this.writeUrl(), 250);
  }

  private async writeUrl(): Promise<string> {
    const frag = await encodeState({ text: this.editor.text, pos: this.pos, policies: this.policies, ...(this.selected !== undefined ? { pfn: this.selected } : {}) });
    history.replaceState(null, "", `#${frag}`);
    return location.href;
  }

  private async copyLink(): Promise<void> {
    const url = await this.writeUrl();
    try {
      await navigator.clipboard.writeText(url);
      this.say("link copied");
    } catch {
      this.say("the link is in the address bar");
    }
  }

  private toggleEditor(b: HTMLButtonElement): void {
    const hidden = this.root.classList.toggle("no-editor");
    b.setAttribute("aria-pressed", String(!hidden));
    this.renderPosition();
  }

  private say(msg: string): void {
    this.status.textContent = msg;
  }

  private key(e: KeyboardEvent): void {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || this.help.open) return;
    const t = e.target as HTMLElement | null;
    if (t !== null && (t.closest(".cm-editor") !== null || ["INPUT", "SELECT", "TEXTAREA"].includes(t.tagName))) return;
    switch (e.key) {
      case "ArrowRight":
        if (e.shiftKey) this.nextDifference(1);
        else this.go(this.pos + 1);
        break;
      case "ArrowLeft":
        if (e.shiftKey) this.nextDifference(-1);
        else this.go(this.pos - 1);
        break;
      case "Home":
        this.go(0);
        break;
      case "End":
        this.go(this.session?.reachable ?? 0);
        break;
      case " ":
        if (t?.tagName === "BUTTON") return;
        this.togglePlay();
        break;
      case "?":
        this.help.showModal();
        break;
      default:
        return;
    }
    e.preventDefault();
  }
}
