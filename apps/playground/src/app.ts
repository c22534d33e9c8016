/**
 * The playground: lays out the page and wires its controllers together: where the scenario
 * comes from (editor, library picker), what the columns compare (policies, kernel eras), the recording, the position (stepper,
 * playing, shortcuts), the stage (columns, steps), the side panel and the URL fragment.
 */
import type { LoadedScenario } from "@pinlab/core";
import type { Registry } from "./model/registry.js";
import type { Session } from "./model/session.js";
import type { SharedState } from "./model/share.js";
import { EditorController } from "./controllers/editor-controller.js";
import { FindingController } from "./controllers/finding-controller.js";
import { CompareChoice } from "./controllers/compare-choice.js";
import { PositionController } from "./controllers/position-controller.js";
import { RecordingController } from "./controllers/recording-controller.js";
import { PluginControl } from "./controllers/plugin-control.js";
import { linkPlan, ShareController } from "./controllers/share-controller.js";
import { SidePanel, type PanelView } from "./controllers/side-panel.js";
import { StageController } from "./controllers/stage-controller.js";
import { policySummary } from "./model/registry.js";
import { DEFAULT_COMPARE_KERNELS } from "./model/run-plan.js";
import { h, replace } from "./view/dom.js";

/** The scenario opened when the URL names none. */
export const DEFAULT_SCENARIO = "rdma-mr-fork";
/** The policies compared by default. */
export const DEFAULT_POLICIES = ["legacy-get", "pin-bias"];

/** The application. */
export class App {
  private readonly status: HTMLElement;
  private readonly editor: EditorController;
  private readonly policies: CompareChoice;
  private readonly recording: RecordingController;
  private readonly positions: PositionController;
  private readonly stage: StageController;
  private readonly side: SidePanel;
  private readonly share: ShareController;
  private readonly pluginControl: PluginControl;
  private readonly finding: FindingController;
  /** Milliseconds the last position change took to render (measured). */
  lastRenderMs = 0;

  /** Build the page inside `root`. */
  constructor(private readonly root: HTMLElement, private readonly registry: Registry) {
    const say = (msg: string) => this.say(msg);
    const keepPosition = () => this.recording.want(this.positions.position);
    this.status = h("span", { class: "status", attrs: { role: "status" } });
    this.editor = new EditorController(root, registry.plugins, {
      picked: () => {
        this.recording.want(0);
        this.stage.select(undefined);
      },
      edited: keepPosition,
      valid: (loaded) => this.run(loaded),
      invalid: (count) => {
        this.stage.setStale(this.recording.current !== undefined);
        this.say(`${count} problem(s) in the scenario`);
        this.share.schedule();
      },
      toggled: () => this.render(),
      opened: (name, text) => this.opened(name, text),
      refused: say,
    });
    this.policies = new CompareChoice(registry, {
      changed: () => {
        keepPosition();
        this.editor.check();
      },
      say,
    });
    this.recording = new RecordingController(registry, {
      started: (session) => {
        this.stage.show(session);
        this.positions.place(0);
      },
      progress: (session, pos) => {
        this.finding.recorded(session, false);
        this.positions.place(pos);
        this.render();
      },
      recorded: (session, pos) => {
        this.finding.recorded(session, true);
        this.stage.recorded(session, this.finding.shown?.step);
        this.positions.place(pos);
        this.render();
        this.root.dataset.ready = "true";
      },
      say,
    });
    this.finding = new FindingController({ goTo: (step) => this.goToFinding(step) });
    this.positions = new PositionController({ session: () => this.recording.current, moved: () => this.render(), say });
    const links = { go: (p: number) => this.go(p), select: (pfn: number) => this.select(pfn) };
    this.stage = new StageController(registry, this.positions.stepper.element, links, this.finding.element);
    this.side = new SidePanel({ ...links, view: () => this.view() });
    this.share = new ShareController({ shown: () => ({ text: this.editor.text, pos: this.positions.position, plan: this.policies.plan, selected: this.stage.selected }), open: (s) => this.open(s), say });
    this.pluginControl = new PluginControl(registry, {
      loaded: (load) => {
        for (const id of load.policies) this.policies.addPolicy(id, policySummary(registry, id));
        // The scenario may name the plugin's kinds: check it again, staying where we are.
        keepPosition();
        this.editor.check();
      },
    });
    const keyboard = this.positions.keyboard;
    replace(root,
      h("header", { class: "topbar" },
        h("span", { class: "brand" }, "pinlab playground"),
        h("label", { attrs: { for: "scenario-picker" } }, "Scenario"), this.editor.picker,
        this.policies.element,
        h("label", { attrs: { for: "play-speed" } }, "Speed"), this.positions.speed,
        this.editor.openControl, this.editor.toggle, this.share.button, keyboard.helpButton,
        this.status),
      h("div", { class: "layout" },
        h("aside", { class: "editor-pane", attrs: { "aria-label": "scenario editor" } }, this.editor.element),
        this.stage.element,
        h("aside", { class: "side", attrs: { "aria-label": "details" } }, this.pluginControl.element, this.side.element)),
      keyboard.dialog);
  }

  /** Open what the URL names, or the default scenario. */
  async start(): Promise<void> {
    if (!(await this.share.openFromUrl())) {
      this.policies.set({ mode: "policies", policies: DEFAULT_POLICIES, policy: DEFAULT_POLICIES[0], kernels: DEFAULT_COMPARE_KERNELS });
      this.editor.pick(DEFAULT_SCENARIO);
    }
  }

  /** The session being shown (tests and measurements). */
  get current(): Session | undefined {
    return this.recording.current;
  }

  /** The current position. */
  get position(): number {
    return this.positions.position;
  }

  /** Go to position `pos` (clamped). */
  go(pos: number): void {
    this.positions.go(pos);
  }

  private open(state: SharedState): void {
    this.policies.set(linkPlan(state, this.registry.policyIds, DEFAULT_POLICIES));
    this.recording.want(state.pos);
    this.stage.select(state.pfn);
    this.editor.setText(state.text);
    this.editor.check();
  }

  /** (issue 21) A scenario file was opened: when it is an explore finding, make sure a column shows it. */
  private opened(name: string, text: string): void {
    const plan = this.finding.planFor(text, this.policies.plan, this.registry.policyIds);
    if (plan !== undefined) this.policies.set(plan);
    this.say(`opened ${name}`);
  }

  /** (issue 21) Go to the step where the opened explore finding shows, with the hazards in view. */
  private goToFinding(step: number): void {
    this.positions.stop();
    this.go(step + 1);
    this.side.showHazards();
  }

  private run(loaded: LoadedScenario): void {
    this.finding.scenario(this.editor.text);
    this.stage.setStale(false);
    this.positions.stop();
    void this.recording.record(loaded, this.policies.runs);
  }

  private select(pfn: number): void {
    this.stage.select(pfn);
    this.side.showFrame();
    const s = this.recording.current;
    if (s !== undefined) this.stage.renderColumns(s, this.positions.position);
    this.share.schedule();
  }

  private view(): PanelView | undefined {
    const session = this.recording.current;
    const finding = this.finding.shown;
    return session === undefined ? undefined : { session, pos: this.positions.position, selected: this.stage.selected, ...(finding !== undefined && finding.class !== "expectation" ? { finding } : {}) };
  }

  /** Show the current position everywhere, measure how long it took, and note it in the URL. */
  private render(): void {
    const s = this.recording.current;
    if (s === undefined) return;
    const pos = this.positions.position;
    const t0 = performance.now();
    this.positions.render();
    this.stage.render(s, pos);
    this.side.render();
    this.lastRenderMs = performance.now() - t0;
    this.root.dataset.pos = String(pos);
    this.root.dataset.renderMs = this.lastRenderMs.toFixed(2);
    this.share.schedule();
  }

  private say(msg: string): void {
    this.status.textContent = msg;
  }
}
