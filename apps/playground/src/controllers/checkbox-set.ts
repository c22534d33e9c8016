/** A fieldset of checkboxes of which at least one always stays checked: the policy and the kernel choices. */
import { h } from "../view/dom.js";

/** What a checkbox set calls back. */
export interface CheckboxSetEvents {
  /** The checked boxes changed (by the user). */
  changed(): void;
  /** Say something in the status line. */
  say(msg: string): void;
}

/** How a checkbox set looks: its fieldset class and legend, the box ids' prefix, what one item is called. */
export interface CheckboxSetLook {
  /** The fieldset's class. */
  readonly cls: string;
  /** The legend. */
  readonly legend: string;
  /** Box ids are `<prefix>-<item id>`. */
  readonly idPrefix: string;
  /** One item, for "at least one ... must stay checked". */
  readonly noun: string;
}

/** The checkboxes of `items` (id and tooltip), in that order; none checked. */
export class CheckboxSet {
  /** The fieldset to place. */
  readonly element: HTMLElement;
  private readonly boxes = new Map<string, HTMLInputElement>();
  private readonly noun: string;

  /** One checkbox per item. */
  constructor(private readonly look: CheckboxSetLook, items: readonly { readonly id: string; readonly title: string }[], private readonly events: CheckboxSetEvents) {
    this.noun = look.noun;
    this.element = h("fieldset", { class: look.cls }, h("legend", {}, look.legend));
    for (const item of items) this.add(item);
  }

  /** Add an unchecked box for `item` at the end (nothing when its id has one). */
  add({ id, title }: { readonly id: string; readonly title: string }): void {
    if (this.boxes.has(id)) return;
    const box = h("input", { id: `${this.look.idPrefix}-${id}`, attrs: { type: "checkbox", value: id }, on: { change: () => this.changed(box) } });
    this.boxes.set(id, box);
    this.element.append(h("label", { attrs: { for: `${this.look.idPrefix}-${id}` }, title }, box, id));
  }

  /** The checked ids, in the items' order. */
  get checked(): string[] {
    return [...this.boxes].filter(([, b]) => b.checked).map(([id]) => id);
  }

  /** Check exactly `ids` (does not call `changed`). */
  set(ids: readonly string[]): void {
    for (const [id, box] of this.boxes) box.checked = ids.includes(id);
  }

  private changed(box: HTMLInputElement): void {
    if (this.checked.length === 0) {
      box.checked = true;
      this.events.say(`at least one ${this.noun} must stay checked`);
      return;
    }
    this.events.changed();
  }
}
