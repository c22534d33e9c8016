import type { MmStruct } from "./mm-types.js";

/** A process (`struct task_struct` with its `mm`). */
export class Process {
  /** False after exit. */
  alive = true;

  /** Create a process. */
  constructor(
    /** Process id (also its thread-group id). */
    readonly pid: number,
    /** Name, as scenarios refer to it. */
    readonly name: string,
    /** Its address space; null after exit. */
    public mm: MmStruct | null,
    /** Parent pid, if forked. */
    readonly parent?: number,
  ) {}
}
