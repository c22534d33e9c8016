/**
 * The event log of one compared run up to the current position, filterable by kind; the events
 * of the step just run are highlighted. Each entry links to its step and to any frame it names.
 */
import type { KernelEvent } from "@pinlab/core";
import { stepOfEvent, type Recording } from "../model/recording.js";
import { eventFields } from "../model/event-fields.js";
import { h, replace } from "./dom.js";
import { frameLink, stepLink, type LinkTargets } from "./links.js";

/** Most entries shown at once (the latest ones). */
const MAX_SHOWN = 300;

/** The event log. */
export class EventLog {
  /** The element to place. */
  readonly element: HTMLElement;
  private readonly kind: HTMLSelectElement;
  private readonly policy: HTMLSelectElement;
  private readonly list: HTMLElement;
  private readonly count: HTMLElement;
  private recs: readonly Recording[] = [];
  private pos = 0;

  /** Make the log. */
  constructor(private readonly targets: LinkTargets) {
    this.kind = h("select", { id: "event-kind", on: { change: () => this.render() } });
    this.policy = h("select", { id: "event-policy", on: { change: () => this.render() } });
    this.count = h("span", { class: "muted" });
    this.list = h("ol", { class: "events", attrs: { "aria-label": "events" } });
    this.element = h("div", { class: "event-log" },
      h("div", { class: "filters" },
        h("label", { attrs: { for: "event-policy" } }, "Run"), this.policy,
        h("label", { attrs: { for: "event-kind" } }, "Kind"), this.kind, this.count),
      this.list);
  }

  /** Show the events of `recs` at position `pos`. */
  update(recs: readonly Recording[], pos: number): void {
    if (recs !== this.recs) {
      const keepPolicy = this.policy.value;
      const keepKind = this.kind.value;
      replace(this.policy, ...recs.map((r) => h("option", { attrs: { value: r.key } }, r.label)));
      if (recs.some((r) => r.key === keepPolicy)) this.policy.value = keepPolicy;
      const kinds = [...new Set(recs.flatMap((r) => r.events.map((e) => e.type)))].sort();
      replace(this.kind, h("option", { attrs: { value: "" } }, "all kinds"), ...kinds.map((k) => h("option", { attrs: { value: k } }, k)));
      if (kinds.includes(keepKind as KernelEvent["type"])) this.kind.value = keepKind;
    }
    this.recs = recs;
    this.pos = pos;
    this.render();
  }

  private render(): void {
    const rec = this.recs.find((r) => r.key === this.policy.value) ?? this.recs[0];
    if (rec === undefined) {
      replace(this.list);
      return;
    }
    const kind = this.kind.value;
    const events = rec.eventsAt(this.pos);
    const from = rec.eventEnd[this.pos - 1] ?? 0;
    const matching = kind === "" ? events : events.filter((e) => e.type === kind);
    const shown = matching.slice(-MAX_SHOWN);
    this.count.textContent = matching.length > shown.length ? `latest ${shown.length} of ${matching.length}` : `${matching.length} event(s)`;
    replace(this.list, ...shown.map((e) => this.entry(rec, e, e.seq >= from)));
    this.list.lastElementChild?.scrollIntoView({ block: "nearest" });
  }

  private entry(rec: Recording, e: KernelEvent, current: boolean): HTMLElement {
    const fields = eventFields(e);
    const frames = fields.flatMap((f) => (f.pfn === undefined ? [] : [f.pfn]));
    return h("li", { class: `event${current ? " current" : ""}`, attrs: { "data-kind": e.type } },
      stepLink(this.targets, stepOfEvent(rec, e.seq)),
      h("span", { class: `kind k-${e.type}` }, e.type),
      ...frames.map((p) => frameLink(this.targets, p)),
      h("span", { class: "fields" }, fields.map((f) => `${f.key}=${f.text}`).join(" ")));
  }
}
