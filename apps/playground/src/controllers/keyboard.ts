/**
 * Page-wide keyboard shortcuts and the help dialog that lists them: ←/→ step, Shift+←/→ next
 * difference, Home/End, Space play/pause, `?` help. Keys typed into the editor or a form field
 * are left alone.
 */
import { h } from "../view/dom.js";
import { helpDialog } from "../view/help.js";

/** What a shortcut does. */
export type Shortcut =
  | { readonly do: "step"; readonly by: 1 | -1 }
  | { readonly do: "difference"; readonly dir: 1 | -1 }
  | { readonly do: "start" | "end" | "play" | "help" };

/** The parts of a key press a shortcut depends on. */
export interface KeyPress {
  /** `KeyboardEvent.key`. */
  readonly key: string;
  /** Shift held (←/→ then go to the next difference). */
  readonly shiftKey: boolean;
  /** Ctrl held (no shortcut then). */
  readonly ctrlKey: boolean;
  /** Meta (Cmd) held (no shortcut then). */
  readonly metaKey: boolean;
  /** Alt held (no shortcut then). */
  readonly altKey: boolean;
  /** True when another handler already took the key. */
  readonly defaultPrevented: boolean;
}

/** Where a key was typed. */
export interface KeyTarget {
  /** The element's tag name (`BUTTON`, `INPUT`...). */
  readonly tagName: string;
  /** True inside the scenario editor. */
  readonly inEditor: boolean;
}

/** The shortcut for key press `e` on `target`, or undefined when the page should leave the key alone. */
export function shortcutFor(e: KeyPress, target: KeyTarget | null): Shortcut | undefined {
  if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return undefined;
  if (target !== null && (target.inEditor || ["INPUT", "SELECT", "TEXTAREA"].includes(target.tagName))) return undefined;
  switch (e.key) {
    case "ArrowRight":
      return e.shiftKey ? { do: "difference", dir: 1 } : { do: "step", by: 1 };
    case "ArrowLeft":
      return e.shiftKey ? { do: "difference", dir: -1 } : { do: "step", by: -1 };
    case "Home":
      return { do: "start" };
    case "End":
      return { do: "end" };
    case " ":
      // Space on a button presses the button.
      return target?.tagName === "BUTTON" ? undefined : { do: "play" };
    case "?":
      return { do: "help" };
    default:
      return undefined;
  }
}

/** What the shortcuts act on. */
export interface ShortcutTargets {
  /** Step forward (1) or back (-1). */
  step(by: 1 | -1): void;
  /** Go to the next (1) or previous (-1) difference. */
  nextDifference(dir: 1 | -1): void;
  /** Go to the start. */
  start(): void;
  /** Go to the end. */
  end(): void;
  /** Play or pause. */
  togglePlay(): void;
}

/** Listens for shortcuts on the document; owns the help dialog and its button. */
export class KeyboardController {
  /** The help dialog (place it in the page). */
  readonly dialog: HTMLDialogElement;
  /** The button opening the help. */
  readonly helpButton: HTMLButtonElement;

  /** Start listening; shortcuts act on `targets`. */
  constructor(private readonly targets: ShortcutTargets) {
    this.dialog = helpDialog();
    this.helpButton = h("button", { attrs: { type: "button", "aria-keyshortcuts": "?" }, on: { click: () => this.dialog.showModal() } }, "Help (?)");
    document.addEventListener("keydown", (e) => this.key(e));
  }

  private key(e: KeyboardEvent): void {
    if (this.dialog.open) return;
    const t = e.target instanceof Element ? e.target : null;
    const s = shortcutFor(e, t === null ? null : { tagName: t.tagName, inEditor: t.closest(".cm-editor") !== null });
    if (s === undefined) return;
    this.run(s);
    e.preventDefault();
  }

  private run(s: Shortcut): void {
    switch (s.do) {
      case "step":
        return this.targets.step(s.by);
      case "difference":
        return this.targets.nextDifference(s.dir);
      case "start":
        return this.targets.start();
      case "end":
        return this.targets.end();
      case "play":
        return this.targets.togglePlay();
      case "help":
        return this.dialog.showModal();
    }
  }
}
