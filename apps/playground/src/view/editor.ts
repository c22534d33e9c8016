/**
 * The scenario editor: CodeMirror 6 with YAML highlighting, and the scenario's problems shown
 * inline (underlined at their line and column, with a gutter mark) and listed under the editor.
 */
import { defaultKeymap, history, historyKeymap } from "@codemirror/commands";
import { yaml } from "@codemirror/lang-yaml";
import { bracketMatching, defaultHighlightStyle, indentOnInput, syntaxHighlighting } from "@codemirror/language";
import { lintGutter, setDiagnostics, type Diagnostic as CmDiagnostic } from "@codemirror/lint";
import { EditorState } from "@codemirror/state";
import { EditorView, highlightActiveLine, highlightActiveLineGutter, keymap, lineNumbers } from "@codemirror/view";
import type { Diagnostic } from "../model/diagnostics.js";
import { h, replace } from "./dom.js";

/** What the editor calls back. */
export interface EditorEvents {
  /** The text changed (typing, paste, undo). */
  change(text: string): void;
  /** Ctrl/Cmd+Enter: run now. */
  run(): void;
}

/** The editor with its problem list. */
export class ScenarioEditor {
  /** The element to place. */
  readonly element: HTMLElement;
  private readonly view: EditorView;
  private readonly problems: HTMLElement;
  private quiet = false;

  /** Make the editor. */
  constructor(events: EditorEvents) {
    const host = h("div", { class: "cm-host" });
    this.problems = h("div", { class: "problems", attrs: { "aria-live": "polite" } });
    this.view = new EditorView({
      parent: host,
      state: EditorState.create({
        doc: "",
        extensions: [
          lineNumbers(), highlightActiveLineGutter(), highlightActiveLine(), history(), indentOnInput(), bracketMatching(),
          syntaxHighlighting(defaultHighlightStyle), yaml(), lintGutter(), EditorView.lineWrapping,
          keymap.of([{ key: "Mod-Enter", run: () => (events.run(), true) }, ...defaultKeymap, ...historyKeymap]),
          EditorView.contentAttributes.of({ "aria-label": "scenario YAML" }),
          EditorView.updateListener.of((u) => {
            if (u.docChanged && !this.quiet) events.change(u.state.doc.toString());
          }),
        ],
      }),
    });
    this.element = h("div", { class: "editor" }, host, this.problems);
  }

  /** The text. */
  get text(): string {
    return this.view.state.doc.toString();
  }

  /** Replace the text (does not call `change`). */
  setText(text: string): void {
    this.quiet = true;
    try {
      this.view.dispatch({ changes: { from: 0, to: this.view.state.doc.length, insert: text } });
    } finally {
      this.quiet = false;
    }
  }

  /** Show `diagnostics` inline and in the list (empty = the scenario is valid). */
  setProblems(diagnostics: readonly Diagnostic[], ok: string): void {
    const len = this.view.state.doc.length;
    const cm: CmDiagnostic[] = diagnostics.map((d) => ({ from: Math.min(d.from, len), to: Math.min(Math.max(d.to, d.from), len), severity: "error", message: d.message }));
    this.view.dispatch(setDiagnostics(this.view.state, cm));
    if (diagnostics.length === 0) {
      replace(this.problems, h("p", { class: "ok" }, ok));
      return;
    }
    replace(this.problems, h("ul", { class: "problem-list", attrs: { "aria-label": "problems in the scenario" } },
      ...diagnostics.map((d) => h("li", {},
        h("button", { class: "link", attrs: { type: "button", "data-line": d.line }, on: { click: () => this.reveal(d) } }, `line ${d.line}:${d.col}`),
        " ", h("span", { class: "problem-msg" }, d.message)))));
  }

  /** Put the cursor at a diagnostic and focus the editor. */
  reveal(d: Diagnostic): void {
    const at = Math.min(d.from, this.view.state.doc.length);
    this.view.dispatch({ selection: { anchor: at }, effects: EditorView.scrollIntoView(at, { y: "center" }) });
    this.view.focus();
  }
}
