/** The policies to compare: one checkbox per registered policy, at least one always checked. */
import { policySummary, type Registry } from "../model/registry.js";
import { h } from "../view/dom.js";

/** What the policy choice calls back. */
export interface PolicyChoiceEvents {
  /** The checked policies changed (by the user). */
  changed(): void;
  /** Say something in the status line. */
  say(msg: string): void;
}

/** The policy checkboxes. */
export class PolicyChoice {
  /** The fieldset to place. */
  readonly element: HTMLElement;
  private readonly boxes = new Map<string, HTMLInputElement>();

  /** One checkbox per policy of `registry` (ids `pol-<policy>`), none checked. */
  constructor(registry: Registry, private readonly events: PolicyChoiceEvents) {
    this.element = h("fieldset", { class: "policies" }, h("legend", {}, "Policies"),
      ...registry.policyIds.map((id) => {
        const box = h("input", { id: `pol-${id}`, attrs: { type: "checkbox", value: id }, on: { change: () => this.changed(box) } });
        this.boxes.set(id, box);
        return h("label", { attrs: { for: `pol-${id}` }, title: policySummary(registry, id) }, box, id);
      }));
  }

  /** The checked policies, in registration order. */
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
      this.events.say("at least one policy must stay checked");
      return;
    }
    this.events.changed();
  }
}
