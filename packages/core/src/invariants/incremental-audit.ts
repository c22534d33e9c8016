/**
 * Invariant audits after every step of a long run, at a cost proportional to what the step
 * touched: an incremental audit (checker.ts with a scope) after each step, a full one every
 * {@link DEFAULT_FULL_AUDIT_EVERY} audits, the first time, and when asked (the last step of a run).
 * @module
 */
import type { Gup } from "../gup/gup.js";
import type { KernelContext } from "../kernel/context.js";
import type { AuditScope } from "./audit-scope.js";
import { checkInvariants } from "./checker.js";
import { TouchedFrames } from "./touched-frames.js";

/**
 * Default number of audits from one full audit to the next: a violation the incremental audits
 * cannot see (a frame changed by no observed path, neither mapped nor cached; the pin balance) is
 * reported at most this many audits late, and the full audits (O(frames)) stay a small share of a long run.
 */
export const DEFAULT_FULL_AUDIT_EVERY = 1000;

/** Incremental invariant audits of one kernel, with a full one every `fullEvery` audits. */
export class InvariantAudit {
  private readonly touched = new TouchedFrames();
  private readonly scope: { found: number[] } = { found: [] };
  private sinceFull = -1;
  private full = false;

  /** Start watching `k` (its observers get the touched-frame tracker). */
  constructor(private readonly k: KernelContext, private readonly gup: Gup, readonly fullEvery = DEFAULT_FULL_AUDIT_EVERY) {
    if (!Number.isInteger(fullEvery) || fullEvery < 1) throw new RangeError(`fullEvery must be a positive integer, got ${fullEvery}`);
    k.observers.push(this.touched);
  }

  /** Make the next audit a full one (the last step of a run). */
  fullNext(): void {
    this.full = true;
  }

  /** Audit now: a full audit the first time, every `fullEvery`th and when asked, else an incremental one. Returns the violations. */
  check(): string[] {
    const full = this.full || this.sinceFull < 0 || this.sinceFull + 1 >= this.fullEvery;
    this.full = false;
    return this.run(full);
  }

  private run(full: boolean): string[] {
    const scope: AuditScope = Object.assign(this.scope, { full, touched: this.touched.take() });
    const out = checkInvariants(this.k, this.gup, 20, scope);
    this.sinceFull = full ? 0 : this.sinceFull + 1;
    return out;
  }
}
