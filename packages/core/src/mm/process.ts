import type { MmStruct } from "./mm-types.js";
import type { UserStruct } from "./user-struct.js";

/** A process (`struct task_struct` with its `mm` and the user its cred runs as). */
export class Process {
  /** False after exit. */
  alive = true;
  /**
   * The user it runs as: `current_user()`, the `struct user_struct` of its cred
   * (include/linux/cred.h, v6.12). The kernel sets it when it registers the process: `spawn`
   * from the uid asked for, and fork's child gets its parent's (`copy_creds()` ->
   * `prepare_creds()`, kernel/cred.c: the child's new cred keeps the parent's `user`).
   */
  user!: UserStruct;

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
