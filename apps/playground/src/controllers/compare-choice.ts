/**
 * (2.0) What side by side compares: a mode switch, "policies" (the policy checkboxes, every column
 * on the "Kernel" picker's era) or "kernels" (one policy, picked in a select, on each checked era).
 * Only the controls of the current mode are shown; the others keep their state for a switch back.
 */
import { policySummary, type Registry } from "../model/registry.js";
import { COMPARE_MODES, DEFAULT_COMPARE_KERNELS, runsOf, type CompareMode, type ComparePlan, type RunSpec } from "../model/run-plan.js";
import { h } from "../view/dom.js";
import { KernelBoxes, KernelPicker } from "./kernel-choice.js";
import { PolicyChoice } from "./policy-choice.js";

/** What the compare choice calls back. */
export interface CompareChoiceEvents {
  /** The user changed what the columns run. */
  changed(): void;
  /** Say something in the status line. */
  say(msg: string): void;
}

/** The mode switch and the controls of both modes. */
export class CompareChoice {
  /** The controls to place in the top bar. */
  readonly element: HTMLElement;
  private readonly modes = new Map<CompareMode, HTMLInputElement>();
  private readonly policies: PolicyChoice;
  private readonly picker: KernelPicker;
  private readonly policy: HTMLSelectElement;
  private readonly kernels: KernelBoxes;
  private readonly perMode: Record<CompareMode, HTMLElement>;

  /** Offer policy `id` (registered by a plugin since): a checkbox and an option of the kernels mode's select. */
  addPolicy(id: string, title: string): void {
    this.policies.add({ id, title });
    if (![...this.policy.options].some((o) => o.value === id)) this.policy.append(h("option", { attrs: { value: id }, title }, id));
  }

  /** Make the controls: policies mode, no policy checked, "policy default", no era checked. */
  constructor(registry: Registry, private readonly events: CompareChoiceEvents) {
    const inner = { changed: () => events.changed(), say: (m: string) => events.say(m) };
    this.policies = new PolicyChoice(registry, inner);
    this.picker = new KernelPicker(inner);
    this.kernels = new KernelBoxes(inner);
    this.policy = h("select", { id: "kernels-policy", on: { change: () => events.changed() } },
      ...registry.policyIds.map((id) => h("option", { attrs: { value: id }, title: policySummary(registry, id) }, id)));
    const switcher = h("fieldset", { class: "policies compare-mode", attrs: { role: "radiogroup" } }, h("legend", {}, "Compare"),
      ...COMPARE_MODES.map((m) => {
        const radio = h("input", { id: `mode-${m}`, attrs: { type: "radio", name: "compare-mode", value: m }, on: { change: () => this.switched() } });
        this.modes.set(m, radio);
        return h("label", { attrs: { for: `mode-${m}` }, title: m === "policies" ? "a column per checked policy, all on the Kernel picker's era" : "one policy, a column per checked kernel era" }, radio, m);
      }));
    this.perMode = {
      policies: h("span", { class: "mode-controls", attrs: { "data-mode": "policies" } }, this.policies.element, this.picker.element),
      kernels: h("span", { class: "mode-controls", attrs: { "data-mode": "kernels" } },
        h("label", { attrs: { for: "kernels-policy" } }, "Policy"), this.policy, this.kernels.element),
    };
    this.element = h("span", { class: "compare" }, switcher, this.perMode.policies, this.perMode.kernels);
    this.show("policies");
  }

  /** The state of every control. */
  get plan(): ComparePlan {
    const mode = this.modes.get("kernels")?.checked === true ? "kernels" : "policies";
    const kernel = this.picker.kernel;
    return { mode, policies: this.policies.checked, ...(kernel !== undefined ? { kernel } : {}), policy: this.policy.value, kernels: this.kernels.checked };
  }

  /** The columns to run, in order. */
  get runs(): RunSpec[] {
    return runsOf(this.plan);
  }

  /** Set every control from `plan` (does not call `changed`). */
  set(plan: ComparePlan): void {
    this.policies.set(plan.policies);
    this.picker.set(plan.kernel);
    if ([...this.policy.options].some((o) => o.value === plan.policy)) this.policy.value = plan.policy;
    this.kernels.set(plan.kernels.length > 0 ? plan.kernels : DEFAULT_COMPARE_KERNELS);
    this.show(plan.mode);
  }

  private switched(): void {
    const plan = this.plan;
    // Kernels mode starts from the first checked policy, unless its policy is one of the checked ones.
    if (plan.mode === "kernels" && !plan.policies.includes(plan.policy) && plan.policies.length > 0) this.policy.value = plan.policies[0];
    if (plan.kernels.length === 0) this.kernels.set(DEFAULT_COMPARE_KERNELS);
    this.show(plan.mode);
    this.events.changed();
  }

  private show(mode: CompareMode): void {
    for (const [m, radio] of this.modes) radio.checked = m === mode;
    for (const m of COMPARE_MODES) this.perMode[m].hidden = m !== mode;
  }
}
