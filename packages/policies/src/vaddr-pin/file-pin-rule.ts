/**
 * Which long-term file pins need a layout lease and an owner under the vaddr_pin RFC.
 * @module
 */
import { EPERM, FOLL_WRITE, type LongtermFilePageRequest } from "@pinlab/core";
import { vmaNeedsDirtyTracking } from "../shared/writable-file-mapping.js";
import type { FilePinTable } from "./file-pin-table.js";
import type { VaddrPinOptions } from "./options.js";

/**
 * True when the RFC's lease rule governs this long-term pin: every FS-DAX page (the RFC's scope),
 * and with `pageCacheLeases` also a writable pin of a shared dirty-tracked page-cache mapping
 * (what v6.12's `writable_file_mapping_allowed()` refuses outright).
 */
export function leaseRuleApplies(req: LongtermFilePageRequest, opts: VaddrPinOptions): boolean {
  if (req.inode.fs.dax) return true;
  return opts.pageCacheLeases && (req.flags & FOLL_WRITE) !== 0 && vmaNeedsDirtyTracking(req.vma);
}

/**
 * A long-term pin of one file page (RFC 14/19, the `mapping_inode_has_layout()` check in the
 * GUP slow path): where the lease rule applies, the pinning process must hold an exclusive
 * layout lease on the file (its tgid, F_LAYOUT | F_EXCLUSIVE) and the call must name a
 * vaddr_pin owner; otherwise EPERM. On success `add_file_pin()` records the pages under the
 * owner. Returns an errno or 0.
 */
export function longtermFilePin(pins: FilePinTable, opts: VaddrPinOptions, req: LongtermFilePageRequest): number {
  if (!leaseRuleApplies(req, opts)) return 0;
  const owner = req.owner;
  if (owner === undefined || (owner.file === undefined && owner.pid === undefined)) return EPERM;
  if (!req.inode.leases.hasExclusiveLayout(req.pid)) return EPERM;
  pins.add(owner, req.pid, req.inode, req.nrPages ?? 1);
  return 0;
}
