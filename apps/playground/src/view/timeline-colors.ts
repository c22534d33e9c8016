/** Colours of the timeline: hazards by outcome (as the hazard list's chips), events by type (a fixed palette, the same type always the same colour). */
import type { HazardOutcome } from "@pinlab/core";

/** A hazard's colour by how it ended. */
export const OUTCOME_COLORS: Readonly<Record<HazardOutcome, string>> = {
  undetected: "#b91c1c",
  detected: "#d97706",
  prevented: "#166534",
};

/** Colours for event types (Okabe-Ito and Tableau tones). */
const EVENT_PALETTE = ["#0072B2", "#009E73", "#CC79A7", "#56B4E9", "#E69F00", "#6b7280", "#8c564b", "#7c3aed", "#0f766e", "#be185d"];

/** The colour of event type `type`: stable across runs and reloads. */
export function eventColor(type: string): string {
  let hash = 0;
  for (let i = 0; i < type.length; i++) hash = (hash * 31 + type.charCodeAt(i)) >>> 0;
  return EVENT_PALETTE[hash % EVENT_PALETTE.length];
}
