/**
 * Where the scenario comes from: the YAML editor, the library picker, (issue 21) "Open file…"
 * (a .yaml/.yml/.json scenario from disk, an explore finding included) and the button that shows
 * or hides the editor pane. The editor's text is checked as it changes (a moment after typing
 * stops) and on demand; its problems are shown in the editor; a valid scenario is handed on.
 */
import { loadScenario, MAX_SCENARIO_BYTES, ScenarioError, type LoadedScenario, type PluginView, type ScenarioProblem } from "@pinlab/core";
import { problemsToDiagnostics } from "../model/diagnostics.js";
import { LIBRARY, libraryEntry, libraryIdOf } from "../model/library.js";
import { h } from "../view/dom.js";
import { ScenarioEditor } from "../view/editor.js";

/** What the editor controller tells the app. */
export interface EditorHost {
  /** A library scenario was picked, or a file opened (its text is about to be checked). */
  picked(): void;
  /** Typing stopped a moment ago (the text is about to be checked). */
  edited(): void;
  /** The text is a valid scenario. */
  valid(loaded: LoadedScenario): void;
  /** The text has `count` problems (shown in the editor). */
  invalid(count: number): void;
  /** The editor pane was shown or hidden. */
  toggled(): void;
  /** (issue 21) A scenario file was opened: `text` is in the editor and about to be checked. */
  opened(name: string, text: string): void;
  /** (issue 21) A file could not be opened (`why`). */
  refused(why: string): void;
}

/** Owns the editor, the picker, the editor pane's toggle and the checking of the text. */
export class EditorController {
  /** The library picker (place it in the top bar; its id is `scenario-picker`). */
  readonly picker: HTMLSelectElement;
  /** The button showing or hiding the editor pane (place it in the top bar). */
  readonly toggle: HTMLButtonElement;
  private readonly editor: ScenarioEditor;
  private readonly opener: HTMLElement;
  private readonly file: HTMLInputElement;
  private timer: ReturnType<typeof setTimeout> | undefined;

  /** Make the pieces; `root` carries the `no-editor` class while the pane is hidden. */
  constructor(private readonly root: HTMLElement, private readonly plugins: PluginView, private readonly host: EditorHost) {
    this.editor = new ScenarioEditor({ change: () => this.scheduleCheck(), run: () => this.check() });
    this.picker = h("select", { id: "scenario-picker", on: { change: () => this.pick(this.picker.value) } },
      h("option", { attrs: { value: "" } }, "(your scenario)"),
      ...LIBRARY.map((e) => h("option", { attrs: { value: e.id }, title: e.description }, e.id)));
    this.toggle = h("button", { attrs: { type: "button", "aria-pressed": "true" }, on: { click: () => this.toggleEditor() } }, "Editor");
    this.file = h("input", { id: "scenario-file", attrs: { type: "file", accept: ".yaml,.yml,.json,application/json,application/yaml,text/yaml", hidden: true, "aria-label": "scenario file" }, on: { change: () => void this.openPicked() } });
    this.opener = h("span", { class: "open-file" },
      h("button", { id: "scenario-open", attrs: { type: "button" }, title: "open a scenario (.yaml, .yml, .json) from disk, e.g. a finding `pinlab explore` wrote", on: { click: () => this.file.click() } }, "Open file…"),
      this.file);
  }

  /** (issue 21) "Open file…" and its hidden file input (place it in the top bar; ids `scenario-open`, `scenario-file`). */
  get openControl(): HTMLElement {
    return this.opener;
  }

  /** The editor with its problem list (place it in the editor pane). */
  get element(): HTMLElement {
    return this.editor.element;
  }

  /** The editor's text. */
  get text(): string {
    return this.editor.text;
  }

  /** Open library scenario `id` (nothing when there is none) and check it. */
  pick(id: string): void {
    const entry = libraryEntry(id);
    if (entry === undefined) return;
    this.picker.value = id;
    this.host.picked();
    this.editor.setText(entry.text);
    this.check();
  }

  /** Put `text` in the editor (the picker names its library scenario, if it is one), without checking it. */
  setText(text: string): void {
    this.picker.value = libraryIdOf(text);
    this.editor.setText(text);
  }

  /** Check the text now: show its problems, and hand a valid scenario to the app. */
  check(): void {
    clearTimeout(this.timer);
    const text = this.editor.text;
    let loaded: LoadedScenario;
    try {
      loaded = loadScenario(text, "scenario.yaml", this.plugins);
    } catch (e) {
      const problems: readonly ScenarioProblem[] = e instanceof ScenarioError ? e.problems : [{ file: "scenario.yaml", message: `internal error: ${e instanceof Error ? e.message : String(e)}` }];
      this.editor.setProblems(problemsToDiagnostics(text, problems), "");
      this.host.invalid(problems.length);
      return;
    }
    this.editor.setProblems([], `valid: ${loaded.steps.length} steps`);
    this.host.valid(loaded);
  }

  /** Open a scenario's `text` read from file `name`: put it in the editor, tell the host, check it. */
  open(name: string, text: string): void {
    this.picker.value = "";
    this.host.picked();
    this.editor.setText(text);
    this.host.opened(name, text);
    this.check();
  }

  private async openPicked(): Promise<void> {
    const file = this.file.files?.[0];
    this.file.value = "";
    if (file === undefined) return;
    if (file.size > MAX_SCENARIO_BYTES) {
      this.host.refused(`${file.name} is larger than ${MAX_SCENARIO_BYTES} bytes`);
      return;
    }
    let text: string;
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(await file.arrayBuffer());
    } catch {
      this.host.refused(`${file.name} is not UTF-8 text`);
      return;
    }
    this.open(file.name, text);
  }

  private scheduleCheck(): void {
    if (this.picker.value !== "" && libraryEntry(this.picker.value)?.text !== this.editor.text) this.picker.value = "";
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.host.edited();
      this.check();
    }, 400);
  }

  private toggleEditor(): void {
    const hidden = this.root.classList.toggle("no-editor");
    this.toggle.setAttribute("aria-pressed", String(!hidden));
    this.host.toggled();
  }
}
