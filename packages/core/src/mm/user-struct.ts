/**
 * The per-user accounting object, `struct user_struct` (include/linux/sched/user.h, v6.12): one
 * per uid, shared by every process that runs as that user (`current_user()`, the cred's `user`),
 * found or created by `alloc_uid()` (kernel/user.c). pinlab keeps the one field page pinning
 * charges: `locked_vm`, "pinned pages charged to RLIMIT_MEMLOCK", which io_uring's registered
 * buffers check against the limit (`__io_account_mem()`, io_uring/rsrc.c), while RDMA checks the
 * per-mm `pinned_vm` instead (`ib_umem_get()`, drivers/infiniband/core/umem.c).
 * @module
 */

/** The uid a process runs as when its scenario names none: every such process shares one user. */
export const DEFAULT_UID = 1000;

/** The largest uid a process may have: `(uid_t)-1` is `INVALID_UID` (include/linux/uidgid.h, v6.12). */
export const MAX_UID = 0xffff_fffe;

/** One user's accounting (`struct user_struct`). */
export class UserStruct {
  /**
   * `user->locked_vm` (an `atomic_long_t`): pages pinned on this user's behalf and charged to
   * RLIMIT_MEMLOCK, by io_uring buffer registration (`__io_account_mem()`) and the like. Not
   * the mm's `locked_vm` of mlock(), and not `mm->pinned_vm`.
   */
  lockedVm = 0;

  /** The user_struct of `uid` (`alloc_uid()`, kernel/user.c, v6.12). */
  constructor(
    /** The user id (`user->uid`). */
    readonly uid: number,
  ) {}
}
