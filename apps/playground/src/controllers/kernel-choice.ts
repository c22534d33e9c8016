/**
 * (2.0) The kernel era controls: the "Kernel" picker of policies mode (every column on one era, or
 * "policy default": each policy on its own era, the scenario's `machine.kernel` first) and the
 * era checkboxes of kernels mode (one column per checked era). Both list `KERNEL_ERAS` oldest
 * first, the era's release, date and summary as the tooltip.
 */
import { findEra, KERNEL_ERAS, type KernelEra } from "@pinlab/core";
import { h } from "../view/dom.js";
import { CheckboxSet, type CheckboxSetEvents } from "./checkbox-set.js";

/** The picker's value for "policy default". */
export const POLICY_DEFAULT = "";

/** The tooltip of an era: its release, date and summary. */
export function eraTooltip(era: KernelEra): string {
  return `${era.release} (${era.date}): ${era.summary}`;
}

/** What the kernel controls call back. */
export type KernelChoiceEvents = CheckboxSetEvents;

/** The "Kernel" picker (id `kernel-picker`): "policy default" or one era for every column. */
export class KernelPicker {
  /** The label and select to place. */
  readonly element: HTMLElement;
  /** The select. */
  readonly select: HTMLSelectElement;

  /** Make the picker, on "policy default". */
  constructor(events: KernelChoiceEvents) {
    this.select = h("select", { id: "kernel-picker", on: { change: () => { this.titled(); events.changed(); } } },
      h("option", { attrs: { value: POLICY_DEFAULT }, title: "each policy on its own default era (shown in each column's header), or the scenario's machine.kernel when it names one" }, "policy default"),
      ...KERNEL_ERAS.map((e) => h("option", { attrs: { value: e.id }, title: eraTooltip(e) }, e.id)));
    this.element = h("span", { class: "kernel-pick" }, h("label", { attrs: { for: "kernel-picker" } }, "Kernel"), this.select);
    this.titled();
  }

  /** The chosen era, or undefined for "policy default". */
  get kernel(): string | undefined {
    return this.select.value === POLICY_DEFAULT ? undefined : this.select.value;
  }

  /** Choose `id` (undefined or an unknown id: "policy default"); does not call `changed`. */
  set(id: string | undefined): void {
    this.select.value = id !== undefined && findEra(id) !== undefined ? id : POLICY_DEFAULT;
    this.titled();
  }

  private titled(): void {
    const era = this.kernel === undefined ? undefined : findEra(this.kernel);
    this.select.title = era === undefined ? "each policy on its own era (the scenario's machine.kernel wins)" : eraTooltip(era);
  }
}

/** The era checkboxes of kernels mode (ids `ker-<era>`), oldest first, at least one always checked. */
export class KernelBoxes extends CheckboxSet {
  /** One checkbox per era, none checked. */
  constructor(events: KernelChoiceEvents) {
    super({ cls: "policies kernels", legend: "Kernels", idPrefix: "ker", noun: "kernel" }, KERNEL_ERAS.map((e) => ({ id: e.id, title: eraTooltip(e) })), events);
  }
}
