/**
 * Layout leases of the vaddr_pin RFC: F_LAYOUT (01/19), F_EXCLUSIVE (02/19), and what truncate
 * does with them (02/19, 05/19, 08/19).
 * @module
 */
import {
  EAGAIN, EBUSY, EDEADLOCK, EINVAL, ETXTBSY, errnoName, type EventBus, type Inode, type LeaseOp, type TruncateRequest,
} from "@pinlab/core";
import { daxLayoutBusyCheck } from "../shared/dax-busy.js";
import type { FilePinTable } from "./file-pin-table.js";
import type { VaddrPinOptions } from "./options.js";

function emitLease(events: EventBus, inode: Inode, pid: number, op: string, errno = 0): number {
  events.emit("lease", { file: inode.name, pid, op, ...(errno !== 0 ? { errno: errnoName(errno) ?? String(errno) } : {}) });
  return errno;
}

/**
 * `fcntl(fd, F_SETLEASE, F_LAYOUT [| F_EXCLUSIVE] | F_UNLCK)` under the RFC. A layout lease is
 * a read lease, so holders do not conflict with each other; an exclusive one conflicts with
 * another process's exclusive one (EAGAIN, as `generic_add_lease()` reports a conflict).
 * F_UNLCK of a lease the process does not hold is EAGAIN (`generic_delete_lease()`). F_UNLCK while
 * the process still has file pins on the file: allowed (RFC v2: the pins persist, new pins fail
 * with EPERM) or, with `leaseRelease: "block"`, refused with EBUSY where Jan Kara's variant would
 * wait for the unpin. Internal files (the shmem behind a shared anonymous mapping) have no fd:
 * EINVAL. Each request emits one `lease` event.
 */
export function setLayoutLease(
  events: EventBus, pins: FilePinTable, opts: VaddrPinOptions, inode: Inode, pid: number, op: LeaseOp,
): number {
  if (inode.internal) return emitLease(events, inode, pid, op, EINVAL);
  switch (op) {
    case "layout":
      inode.leases.take(pid, false);
      return emitLease(events, inode, pid, op);
    case "exclusive":
      return emitLease(events, inode, pid, op, inode.leases.take(pid, true) ? 0 : EAGAIN);
    case "unlock":
      if (inode.leases.heldBy(pid) === undefined) return emitLease(events, inode, pid, op, EAGAIN);
      if (opts.leaseRelease === "block" && pins.pinsOf(pid, inode) > 0) return emitLease(events, inode, pid, op, EBUSY);
      inode.leases.release(pid);
      return emitLease(events, inode, pid, op);
    default:
      return emitLease(events, inode, pid, String(op), EINVAL);
  }
}

/**
 * What truncate and hole punch do under the RFC before anything is unmapped: break the layout
 * with write intent (`break_layout(inode, true)`, which xfs does before waiting on DAX pages,
 * 08/19). An exclusive layout lease cannot be broken (`__break_lease()`, 02/19): the holder's own
 * truncate gets EDEADLOCK (a likely application bug); another process gets ETXTBSY when file
 * pins or busy pages exist, and for an exclusive lease over nothing pinned the option
 * `exclusiveLeaseWithoutPins` decides (row 15). Plain layout leases are broken (removed, one
 * `lease` event each). Then busy FS-DAX pages are waited for (EBUSY, as in v6.12).
 */
export function breakLayoutForTruncate(events: EventBus, pins: FilePinTable, opts: VaddrPinOptions, req: TruncateRequest): number {
  const inode = req.inode;
  const exclusive = inode.leases.all.filter((l) => l.exclusive);
  if (exclusive.length > 0) {
    const own = req.pid === undefined ? undefined : exclusive.find((l) => l.pid === req.pid);
    if (own !== undefined) return emitLease(events, inode, own.pid, "break", EDEADLOCK);
    const pinned = pins.hasPins(inode) || req.busyPfns.length > 0;
    if (pinned || opts.exclusiveLeaseWithoutPins === "refuse") return emitLease(events, inode, exclusive[0].pid, "break", ETXTBSY);
  }
  for (const pid of inode.leases.breakShared()) emitLease(events, inode, pid, "broken");
  return daxLayoutBusyCheck(req);
}
