/**
 * Where the CLI writes, so commands run the same in a terminal and in tests.
 * @module
 */

/** Output streams and environment of one CLI invocation. */
export interface CliIo {
  /** Standard output. */
  out(text: string): void;
  /** Standard error. */
  err(text: string): void;
  /** True when stdout is a terminal (colour, progress bars). */
  readonly isTTY: boolean;
  /** Environment variables. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Working directory. */
  readonly cwd: string;
}

/** The real process streams. */
export function processIo(): CliIo {
  return {
    out: (t) => void process.stdout.write(t),
    err: (t) => void process.stderr.write(t),
    isTTY: process.stdout.isTTY === true,
    env: process.env,
    cwd: process.cwd(),
  };
}

/** Exit statuses (docs/reference/scenario-format.md, "Running"; 70 is sysexits.h's EX_SOFTWARE). */
export const EXIT = {
  /** Every expectation held. */
  OK: 0,
  /** An expectation failed. */
  FAILED: 1,
  /** The input or the command line was bad. */
  USAGE: 2,
  /** pinlab itself failed (a bug: an error no input check foresaw); the message says to report it. */
  INTERNAL: 70,
} as const;

/** An error the user caused (bad flag, bad file, bad plugin): printed without a stack trace, exit 2. */
export class UsageError extends Error {
  /** Make the error. */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}
