/** An accessible tab list: buttons with role="tab" and their panels; arrow keys move between tabs. */
import { h } from "./dom.js";

/** One tab. */
export interface Tab {
  /** Stable id (used in element ids and by the app). */
  readonly id: string;
  /** The label. */
  readonly label: string;
  /** The panel's content. */
  readonly panel: HTMLElement;
}

/** A set of tabs with one selected. */
export class Tabs {
  /** The element to place. */
  readonly element: HTMLElement;
  private readonly buttons = new Map<string, HTMLButtonElement>();
  private readonly panels = new Map<string, HTMLElement>();
  private selectedId: string;

  /** Make tabs; `onSelect` is called when the selection changes. */
  constructor(private readonly tabs: readonly Tab[], private readonly onSelect: (id: string) => void) {
    this.selectedId = tabs[0]?.id ?? "";
    const list = h("div", { class: "tablist", attrs: { role: "tablist" } });
    for (const t of tabs) {
      const b = h("button", {
        id: `tab-${t.id}`,
        attrs: { type: "button", role: "tab", "aria-controls": `panel-${t.id}` },
        on: { click: () => this.select(t.id), keydown: (e) => this.key(e, t.id) },
      }, t.label);
      this.buttons.set(t.id, b);
      list.append(b);
      const p = h("div", { id: `panel-${t.id}`, class: "tabpanel", attrs: { role: "tabpanel", "aria-labelledby": `tab-${t.id}`, tabindex: 0 } }, t.panel);
      this.panels.set(t.id, p);
    }
    this.element = h("div", { class: "tabs" }, list, ...this.panels.values());
    this.apply();
  }

  /** The selected tab's id. */
  get selected(): string {
    return this.selectedId;
  }

  /** Select a tab. */
  select(id: string): void {
    if (!this.buttons.has(id)) return;
    this.selectedId = id;
    this.apply();
    this.onSelect(id);
  }

  private apply(): void {
    for (const [id, b] of this.buttons) {
      const on = id === this.selectedId;
      b.setAttribute("aria-selected", String(on));
      b.tabIndex = on ? 0 : -1;
      const p = this.panels.get(id);
      if (p !== undefined) p.hidden = !on;
    }
  }

  private key(e: KeyboardEvent, id: string): void {
    const i = this.tabs.findIndex((t) => t.id === id);
    const d = e.key === "ArrowRight" ? 1 : e.key === "ArrowLeft" ? -1 : 0;
    if (d === 0) return;
    e.preventDefault();
    e.stopPropagation();
    const next = this.tabs[(i + d + this.tabs.length) % this.tabs.length];
    this.select(next.id);
    this.buttons.get(next.id)?.focus();
  }
}
