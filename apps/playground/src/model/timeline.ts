/**
 * The timeline of one recorded run, for a track view in the style of Perfetto's: the steps as
 * slices, the events as instants and the hazards as marked instants, all placed on the virtual
 * clock (each event's `t`, in ns). A run whose clock never advances is placed on the step index
 * instead (each step one unit wide, its events spread evenly inside it), and says so.
 */
import type { HazardClass, HazardOutcome, KernelEvent } from "@pinlab/core";
import { stepOfEvent, type Recording } from "./recording.js";

/** What the x axis measures: virtual time in ns, or the step index (when the clock never moves). */
export type TimelineClock = "virtual" | "step";

/** A step, drawn as a slice from `start` to `end`. */
export interface StepSlice {
  /** Step index. */
  readonly index: number;
  /** Its op. */
  readonly op: string;
  /** Where it starts and ends on the x axis. */
  readonly start: number;
  /** Where it ends (the next step's start, or the last event's time). */
  readonly end: number;
}

/** An event, drawn as an instant. */
export interface EventInstant {
  /** Where it is on the x axis. */
  readonly x: number;
  /** The step it belongs to (-1: set-up). */
  readonly step: number;
  /** The event itself. */
  readonly event: KernelEvent;
}

/** A hazard, drawn as a marked instant. */
export interface HazardInstant {
  /** Where it is on the x axis. */
  readonly x: number;
  /** The step it belongs to. */
  readonly step: number;
  /** Its class. */
  readonly class: HazardClass;
  /** How it ended. */
  readonly outcome: HazardOutcome;
  /** The device involved, the frame and what happened. */
  readonly device: string;
  /** The frame. */
  readonly pfn: number;
  /** What happened. */
  readonly detail: string;
}

/** The tracks of one run. */
export interface RunTimeline {
  /** The run's key and label. */
  readonly key: string;
  /** The label shown in the track group's header. */
  readonly label: string;
  /** What x measures. */
  readonly clock: TimelineClock;
  /** The steps. */
  readonly steps: readonly StepSlice[];
  /** The events (not `step` or `hazard` events, which are the other tracks). */
  readonly events: readonly EventInstant[];
  /** The hazards. */
  readonly hazards: readonly HazardInstant[];
  /** The extent of x. */
  readonly min: number;
  /** The extent of x. */
  readonly max: number;
}

/** True when the clock moved at some point of the run. */
export function clockAdvances(events: readonly KernelEvent[]): boolean {
  return events.some((e) => e.t !== events[0]?.t);
}

/** The tracks of `rec`, on `clock` (the virtual clock unless it never advances; pass "step" to force the step index). */
export function runTimeline(rec: Recording, clock: TimelineClock = clockAdvances(rec.events) ? "virtual" : "step"): RunTimeline {
  const events = rec.events.slice(0, rec.eventEnd[rec.eventEnd.length - 1] ?? 0);
  const stepOf = events.map((e) => stepOfEvent(rec, e.seq));
  // On the step index, the events of step i are spread over [i, i + 1) (set-up: [-1, 0)).
  const perStep = new Map<number, number>();
  for (const s of stepOf) perStep.set(s, (perStep.get(s) ?? 0) + 1);
  const seen = new Map<number, number>();
  const xOf = (i: number): number => {
    if (clock === "virtual") return events[i].t;
    const s = stepOf[i];
    const k = seen.get(s) ?? 0;
    seen.set(s, k + 1);
    return s + (k + 0.5) / (perStep.get(s) ?? 1);
  };
  const xs = events.map((_, i) => xOf(i));
  const startOf = new Map<number, number>();
  for (const e of events) { if (e.type === "step" && !startOf.has(e.index)) startOf.set(e.index, clock === "virtual" ? e.t : e.index); }
  const last = clock === "virtual" ? xs.reduce((m, x) => Math.max(m, x), 0) : rec.steps.length;
  const steps = rec.steps.map((s, i) => {
    const start = startOf.get(i) ?? (clock === "virtual" ? last : i);
    return { index: i, op: s.op, start, end: startOf.get(i + 1) ?? (clock === "virtual" ? Math.max(start, last) : i + 1) };
  });
  const instants: EventInstant[] = [];
  const hazards: HazardInstant[] = [];
  events.forEach((e, i) => {
    if (e.type === "hazard") hazards.push({ x: xs[i], step: e.step ?? stepOf[i], class: e.class, outcome: e.outcome, device: e.device, pfn: e.pfn, detail: e.detail });
    else if (e.type !== "step") instants.push({ x: xs[i], step: stepOf[i], event: e });
  });
  const min = clock === "virtual" ? xs.reduce((m, x) => Math.min(m, x), 0) : stepOf.includes(-1) ? -1 : 0;
  return { key: rec.key, label: rec.label, clock, steps, events: instants, hazards, min, max: Math.max(last, min + 1) };
}

/** The tracks of every run, all on one clock: virtual unless no run's clock advances. */
export function timelines(recs: readonly Recording[]): RunTimeline[] {
  const clock: TimelineClock = recs.some((r) => clockAdvances(r.events)) ? "virtual" : "step";
  return recs.map((r) => runTimeline(r, clock));
}
