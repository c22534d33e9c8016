import { describe, expect, it } from "vitest";
import { shortcutFor, type KeyPress, type KeyTarget } from "./keyboard.js";

const press = (key: string, more: Partial<KeyPress> = {}): KeyPress => ({ key, shiftKey: false, ctrlKey: false, metaKey: false, altKey: false, defaultPrevented: false, ...more });
const body: KeyTarget = { tagName: "BODY", inEditor: false };

describe("keyboard shortcuts", () => {
  it("maps the documented keys", () => {
    expect(shortcutFor(press("ArrowRight"), body)).toEqual({ do: "step", by: 1 });
    expect(shortcutFor(press("ArrowLeft"), body)).toEqual({ do: "step", by: -1 });
    expect(shortcutFor(press("ArrowRight", { shiftKey: true }), body)).toEqual({ do: "difference", dir: 1 });
    expect(shortcutFor(press("ArrowLeft", { shiftKey: true }), body)).toEqual({ do: "difference", dir: -1 });
    expect(shortcutFor(press("Home"), body)).toEqual({ do: "start" });
    expect(shortcutFor(press("End"), null)).toEqual({ do: "end" });
    expect(shortcutFor(press(" "), body)).toEqual({ do: "play" });
    expect(shortcutFor(press("?", { shiftKey: true }), body)).toEqual({ do: "help" });
    expect(shortcutFor(press("x"), body)).toBeUndefined();
  });

  it("leaves keys with Ctrl, Meta or Alt, and keys already taken, alone", () => {
    for (const more of [{ ctrlKey: true }, { metaKey: true }, { altKey: true }, { defaultPrevented: true }]) {
      expect(shortcutFor(press("ArrowRight", more), body)).toBeUndefined();
    }
  });

  it("leaves keys typed into the editor or a form field alone", () => {
    expect(shortcutFor(press("ArrowRight"), { tagName: "DIV", inEditor: true })).toBeUndefined();
    for (const tagName of ["INPUT", "SELECT", "TEXTAREA"]) expect(shortcutFor(press("Home"), { tagName, inEditor: false })).toBeUndefined();
  });

  it("lets Space press a focused button instead of playing", () => {
    expect(shortcutFor(press(" "), { tagName: "BUTTON", inEditor: false })).toBeUndefined();
    expect(shortcutFor(press("ArrowRight"), { tagName: "BUTTON", inEditor: false })).toEqual({ do: "step", by: 1 });
  });
});
