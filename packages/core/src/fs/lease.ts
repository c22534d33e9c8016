/**
 * Layout leases on a file: F_LAYOUT and F_LAYOUT|F_EXCLUSIVE from Ira Weiny's 2019 RFC
 * ("[RFC PATCH v2 01/19]" and "02/19"). A layout lease is a read lease, so several holders do
 * not conflict; only the filesystem breaking the layout (truncate, hole punch) conflicts with
 * it. An exclusive layout lease cannot be broken: the breaker gets ETXTBSY, or EDEADLOCK when
 * it is the holder itself. Mainline v6.12 has no user-visible F_LAYOUT; whether a policy
 * accepts these leases is the policy's call.
 * @module
 */

/** One lease on a file. */
export interface Lease {
  /** The holder's process id. */
  readonly pid: number;
  /** FL_EXCLUSIVE. */
  readonly exclusive: boolean;
}

/** The lease list of one inode (`inode->i_flctx->flc_lease`). */
export class LeaseList {
  private leases: Lease[] = [];

  /** Current leases. */
  get all(): readonly Lease[] {
    return this.leases;
  }

  /** The lease held by `pid`, if any. */
  heldBy(pid: number): Lease | undefined {
    return this.leases.find((l) => l.pid === pid);
  }

  /** True when `pid` holds an exclusive layout lease (`mapping_inode_has_layout` in Ira Weiny's RFC v2 14/19, Aug 2019). */
  hasExclusiveLayout(pid: number): boolean {
    return this.leases.some((l) => l.pid === pid && l.exclusive);
  }

  /** Take or upgrade `pid`'s lease. Returns false when another process's exclusive lease conflicts. */
  take(pid: number, exclusive: boolean): boolean {
    if (exclusive && this.leases.some((l) => l.pid !== pid && l.exclusive)) return false;
    this.leases = this.leases.filter((l) => l.pid !== pid);
    this.leases.push({ pid, exclusive });
    return true;
  }

  /** Release `pid`'s lease (F_UNLCK). Returns false when it held none. */
  release(pid: number): boolean {
    const before = this.leases.length;
    this.leases = this.leases.filter((l) => l.pid !== pid);
    return this.leases.length !== before;
  }

  /** Remove every non-exclusive lease (a successful layout break). Returns the pids broken. */
  breakShared(): number[] {
    const broken = this.leases.filter((l) => !l.exclusive).map((l) => l.pid);
    this.leases = this.leases.filter((l) => l.exclusive);
    return broken;
  }

  /** Drop every lease of `pid` (process exit). */
  dropAll(pid: number): void {
    this.release(pid);
  }
}
