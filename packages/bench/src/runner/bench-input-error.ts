/**
 * Bad bench input: an unknown workload, policy or device, bad parameters, a bad shard.
 * @module
 */

/** An error the user caused, with a message naming what was wrong and what is known. */
export class BenchInputError extends Error {
  /** The option or field at fault (`--workloads`, `--shard`...), when there is one. */
  readonly field?: string;

  /** Make the error. */
  constructor(message: string, field?: string) {
    super(message);
    this.name = "BenchInputError";
    if (field !== undefined) this.field = field;
  }
}
