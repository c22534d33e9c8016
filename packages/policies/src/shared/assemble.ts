/**
 * One object shape for every policy.
 * @module
 */
import type { PinPolicy } from "@pinlab/core";

/**
 * Copy a policy's members into a fresh object literal with the members always in the order of
 * {@link PinPolicy}. Every policy then has one hidden class, so core's call sites
 * (`k.policy.grab(...)` on the GUP hot path) stay monomorphic on the property lookup when a
 * bench runs several policies side by side in one process.
 */
export function assemblePolicy(p: PinPolicy): PinPolicy {
  // Optional members are filled in too, so every policy has the same shape.
  return {
    id: p.id,
    countsPins: p.countsPins,
    checkFlags: p.checkFlags,
    grab: p.grab,
    release: p.release,
    maybeDmaPinned: p.maybeDmaPinned,
    pinCount: p.pinCount,
    refsForPins: p.refsForPins,
    forkMustCopy: p.forkMustCopy,
    mustUnshare: p.mustUnshare,
    checkLongtermVma: p.checkLongtermVma,
    fastFolioAllowed: p.fastFolioAllowed,
    longtermPinnable: p.longtermPinnable,
    longtermFilePage: p.longtermFilePage,
    releaseFilePages: p.releaseFilePages,
    checkTruncate: p.checkTruncate,
    setLease: p.setLease,
    filePins: p.filePins,
    onExit: p.onExit ?? noExit,
    accountingBytes: p.accountingBytes,
    fastPath: p.fastPath,
  };
}

function noExit(): void {}
