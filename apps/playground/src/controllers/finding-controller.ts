/**
 * (issue 21) An explore finding opened in the playground: the banner saying what it shows, the
 * columns it needs when it is opened from a file, and the step where it shows (for the banner's
 * button, the steps table and the hazard list).
 */
import { parseFindingHeader, type FindingHeader } from "../model/finding-header.js";
import { planForFinding } from "../model/finding-plan.js";
import { findingTarget, type FindingTarget } from "../model/finding-target.js";
import type { ComparePlan } from "../model/run-plan.js";
import type { Session } from "../model/session.js";
import { FindingBanner } from "../view/finding-banner.js";

/** What the finding controller asks of the app. */
export interface FindingHost {
  /** Go to the position right after step `step` and show the hazards. */
  goTo(step: number): void;
}

/** Where the finding shows, for the steps table and the hazard list. */
export interface ShownFinding {
  /** The column's key. */
  readonly key: string;
  /** The finding's class (`expectation` for a failed expectation). */
  readonly class: string;
  /** Its outcome. */
  readonly outcome: string;
  /** The step. */
  readonly step: number;
}

/** Owns the banner and the finding of the scenario shown. */
export class FindingController {
  private readonly banner: FindingBanner;
  private header: FindingHeader | undefined;
  private target: FindingTarget | undefined;

  /** Make the banner. */
  constructor(private readonly host: FindingHost) {
    this.banner = new FindingBanner(() => {
      if (this.target?.step !== undefined) this.host.goTo(this.target.step);
    });
  }

  /** The banner (place it on the stage). */
  get element(): HTMLElement {
    return this.banner.element;
  }

  /** The plan that shows the finding in `text` (opened from a file) in a column, or undefined to keep `plan`. */
  planFor(text: string, plan: ComparePlan, policies: readonly string[]): ComparePlan | undefined {
    const f = parseFindingHeader(text);
    return f === undefined ? undefined : planForFinding(plan, f, policies);
  }

  /** A valid scenario with source `text` is about to be recorded: show its banner (none when it is no finding). */
  scenario(text: string): void {
    this.header = parseFindingHeader(text);
    this.target = undefined;
    this.banner.update(this.header, undefined, false);
  }

  /** `session` (of the scenario last given) has recorded more, or all when `done`: find where the finding shows. */
  recorded(session: Session, done: boolean): void {
    if (this.header === undefined) return;
    this.target = findingTarget(this.header, session.recordings);
    this.banner.update(this.header, this.target, done);
  }

  /** Where the finding shows, once found. */
  get shown(): ShownFinding | undefined {
    const f = this.header;
    const t = this.target;
    return f === undefined || t?.step === undefined ? undefined : { key: t.key, class: f.class, outcome: f.outcome, step: t.step };
  }
}
