/**
 * Where the scenario comes from: the YAML editor, the library picker and the button that shows
 * or hides the editor pane. The editor's text is checked as it changes (a moment after typing
 * stops) and on demand; its problems are shown in the editor; a valid scenario is handed on.
 */
import { loadScenario, ScenarioError, type LoadedScenario, type PluginView, type ScenarioProblem } from "@pinlab/core";
import { problemsToDiagnostics } from "../model/diagnostics.js";
import { LIBRARY, libraryEntry, libraryIdOf } from "../model/library.js";
import { h } from "../view/dom.js";
import { ScenarioEditor } from "../view/editor.js";

/** What the editor controller tells the app. */
export interface EditorHost {
  /** A library scenario was picked (its text is about to be checked). */
  picked(): void;
  /** Typing stopped a moment ago (the text is about to be checked). */
  edited(): void;
  /** The text is a valid scenario. */
  valid(loaded: LoadedScenario): void;
  /** The text has `count` problems (shown in the editor). */
  invalid(count: number): void;
  /** The editor pane was shown or hidden. */
  toggled(): void;
}

/** Owns the editor, the picker, the editor pane's toggle and the checking of the text. */
export class EditorController {
  /** The library picker (place it in the top bar; its id is `scenario-picker`). */
  readonly picker: HTMLSelectElement;
  /** The button showing or hiding the editor pane (place it in the top bar). */
  readonly toggle: HTMLButtonElement;
  private readonly editor: ScenarioEditor;
  private timer: ReturnType<typeof setTimeout> | undefined;

  /** Make the pieces; `root` carries the `no-editor` class while the pane is hidden. */
  constructor(private readonly root: HTMLElement, private readonly plugins: PluginView, private readonly host: EditorHost) {
    this.editor = new ScenarioEditor({ change: () => this.scheduleCheck(), run: () => this.check() });
    this.picker = h("select", { id: "scenario-picker", on: { change: () => this.pick(this.picker.value) } },
      h("option", { attrs: { value: "" } }, "(your scenario)"),
      ...LIBRARY.map((e) => h("option", { attrs: { value: e.id }, title: e.description }, e.id)));
    this.toggle = h("button", { attrs: { type: "button", "aria-pressed": "true" }, on: { click: () => this.toggleEditor() } }, "Editor");
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
