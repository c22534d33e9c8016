/** The policies to compare: one checkbox per registered policy, at least one always checked. */
import { policySummary, type Registry } from "../model/registry.js";
import { CheckboxSet, type CheckboxSetEvents } from "./checkbox-set.js";

/** What the policy choice calls back. */
export type PolicyChoiceEvents = CheckboxSetEvents;

/** The policy checkboxes (ids `pol-<policy>`), in registration order. */
export class PolicyChoice extends CheckboxSet {
  /** One checkbox per policy of `registry`, none checked. */
  constructor(registry: Registry, events: PolicyChoiceEvents) {
    super({ cls: "policies", legend: "Policies", idPrefix: "pol", noun: "policy" }, registry.policyIds.map((id) => ({ id, title: policySummary(registry, id) })), events);
  }
}
