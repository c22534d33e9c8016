/**
 * What the hazard oracle records (a {@link Hazard}) and what a holder tells it it now holds (a
 * {@link HoldRequest}).
 * @module
 */
import type { HazardClass, HazardOutcome } from "../events/event-types.js";

/** One recorded hazard. */
export interface Hazard {
  /** The hazard class. */
  readonly class: HazardClass;
  /** How it ended. */
  readonly outcome: HazardOutcome;
  /** The scenario step during which it was recorded (-1 outside scenarios). */
  readonly step: number;
  /** The device (or handle) involved. */
  readonly device: string;
  /** The frame. */
  readonly pfn: number;
  /** A sentence saying what happened. */
  readonly detail: string;
}

/** Identity of a frame a holder is about to record (what the device believes it holds). */
export interface HoldRequest {
  /** The frame. */
  readonly pfn: number;
  /** The process and address it was taken from. */
  readonly pid: number;
  /** Virtual address. */
  readonly vaddr: number;
  /** Taken with write intent. */
  readonly write: boolean;
  /** Taken long-term. */
  readonly longterm?: boolean;
}
