/**
 * Recording: a valid scenario is recorded under the chosen runs (policies, or one policy at
 * several kernel eras) in slices of wall time,
 * with progress shown a few times a second. Starting a new recording cancels the one in
 * progress (each recording holds a run token; a stale token stops it).
 */
import type { LoadedScenario } from "@pinlab/core";
import type { Registry } from "../model/registry.js";
import type { RunSpec } from "../model/run-plan.js";
import { Session } from "../model/session.js";

/** What the recording controller tells the app. */
export interface RecordingHost {
  /** A new session starts recording (nothing of it is shown yet). */
  started(session: Session): void;
  /** Part of the session is recorded: show position `pos`. */
  progress(session: Session, pos: number): void;
  /** All of the session is recorded: show position `pos`. */
  recorded(session: Session, pos: number): void;
  /** Say something in the status line. */
  say(msg: string): void;
}

/** Owns the session being shown and the run in progress. */
export class RecordingController {
  private session: Session | undefined;
  private runToken = 0;
  private wanted = 0;

  /** Record against `registry`. */
  constructor(private readonly registry: Registry, private readonly host: RecordingHost) {}

  /** The session being shown, if any. */
  get current(): Session | undefined {
    return this.session;
  }

  /** Land on position `pos` (or as near as is reachable) when the next recording shows. */
  want(pos: number): void {
    this.wanted = pos;
  }

  /** Record `loaded` in a column per run of `runs`, cancelling the recording in progress. Resolves when done or cancelled. */
  async record(loaded: LoadedScenario, runs: readonly RunSpec[]): Promise<void> {
    const token = ++this.runToken;
    const cancelled = () => token !== this.runToken;
    const session = new Session(loaded, runs, this.registry);
    this.session = session;
    this.host.started(session);
    const started = performance.now();
    let shownAt = -Infinity;
    // While recording, show progress a few times a second: rebuilding the views on every slice would cost more than recording.
    await session.complete(30, () => {
      if (cancelled() || session.done || performance.now() - shownAt < 1000) return;
      shownAt = performance.now();
      this.host.progress(session, Math.min(this.wanted, session.reachable));
      this.host.say(`recording… ${session.reachable}/${session.length}`);
    }, cancelled);
    if (cancelled()) return;
    this.host.recorded(session, Math.min(this.wanted, session.reachable));
    this.host.say(`recorded ${session.length} steps × ${session.runs.length} columns in ${Math.round(performance.now() - started)} ms`);
  }
}
