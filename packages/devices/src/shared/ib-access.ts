/**
 * Memory-region access rights (`enum ib_access_flags`, include/rdma/ib_verbs.h, Linux v6.12) as a
 * scenario lists them, and the two checks the verbs layer makes with them.
 * @module
 */
import { EINVAL } from "@pinlab/core";

/** Access right names: IB_ACCESS_LOCAL_WRITE, _REMOTE_WRITE, _REMOTE_READ, _REMOTE_ATOMIC, _MW_BIND. */
export const IB_ACCESS = ["local_write", "remote_write", "remote_read", "remote_atomic", "mw_bind"] as const;

/** One access right. */
export type IbAccess = (typeof IB_ACCESS)[number];

/**
 * `ib_access_writable()`: the MR is backed by writable memory when any right lets the HCA (or a
 * binding window) modify it: local write, remote write, remote atomic or MW bind. Decides
 * FOLL_WRITE at registration and dirtying at release (`umem->writable`).
 */
export function ibAccessWritable(access: readonly IbAccess[]): boolean {
  return access.some((a) => a === "local_write" || a === "remote_write" || a === "remote_atomic" || a === "mw_bind");
}

/**
 * `ib_check_mr_access()` (drivers/infiniband/core/uverbs_cmd.c calls it before `ib_umem_get`):
 * remote write or remote atomic without local write is -EINVAL (IBA 10.6.3.1 requires local write
 * for them). Returns 0 or a positive errno.
 */
export function ibCheckMrAccess(access: readonly IbAccess[]): number {
  const remoteWrite = access.includes("remote_write") || access.includes("remote_atomic");
  return remoteWrite && !access.includes("local_write") ? EINVAL : 0;
}

/** May the HCA write into the region (a receive, an RDMA WRITE, an atomic)? */
export function ibAccessDmaWrite(access: readonly IbAccess[]): boolean {
  return access.some((a) => a === "local_write" || a === "remote_write" || a === "remote_atomic");
}
