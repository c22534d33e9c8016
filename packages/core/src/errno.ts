/**
 * Kernel errno values, as in `include/uapi/asm-generic/errno-base.h` and `errno.h`.
 * Model functions follow the kernel convention: a negative return is `-errno`.
 * @module
 */

/** Operation not permitted. */
export const EPERM = 1;
/** No such file or directory. */
export const ENOENT = 2;
/** Out of memory. */
export const ENOMEM = 12;
/** Bad address. */
export const EFAULT = 14;
/** I/O error (a writeback IO or a DMA transfer that failed). */
export const EIO = 5;
/** No such process (move_pages of a pid that is gone). */
export const ESRCH = 3;
/** File too large (truncate past the filesystem's maximum size). */
export const EFBIG = 27;
/** Value too large for defined data type (a GUP range that wraps the address space). */
export const EOVERFLOW = 75;
/** File exists. */
export const EEXIST = 17;
/** Device or resource busy. */
export const EBUSY = 16;
/** Invalid argument. */
export const EINVAL = 22;
/** Text file busy (vaddr_pin RFC: truncate of a leased, pinned file). */
export const ETXTBSY = 26;
/** No space left on device. */
export const ENOSPC = 28;
/** Try again. */
export const EAGAIN = 11;
/** Resource deadlock would occur (vaddr_pin RFC: the lease holder truncates its own file). */
export const EDEADLOCK = 35;
/** Operation not supported (FOLL_LONGTERM on FS-DAX). */
export const EOPNOTSUPP = 95;
/** Remote I/O error (P2PDMA page without FOLL_PCI_P2PDMA). */
export const EREMOTEIO = 121;

/** Every errno the model can return, by name. */
export const ERRNO = {
  EPERM, ENOENT, ESRCH, EIO, ENOMEM, EFAULT, EBUSY, EEXIST, EFBIG, EOVERFLOW, EINVAL, ETXTBSY, ENOSPC, EAGAIN, EDEADLOCK, EOPNOTSUPP, EREMOTEIO,
} as const;

/** The name of an errno the model knows, such as `"EFAULT"`. */
export type ErrnoName = keyof typeof ERRNO;

const BY_VALUE = new Map<number, ErrnoName>(
  (Object.entries(ERRNO) as [ErrnoName, number][]).map(([name, value]) => [value, name]),
);

/** The name of an errno value (positive or negative), e.g. `errnoName(-14) === "EFAULT"`. */
export function errnoName(value: number): ErrnoName | undefined {
  return BY_VALUE.get(Math.abs(value));
}

/** True when `value` names a known errno. */
export function isErrnoName(value: string): value is ErrnoName {
  return Object.prototype.hasOwnProperty.call(ERRNO, value);
}

/**
 * An error carrying a kernel errno, thrown by model operations that a user (or a scenario)
 * asked for and that the kernel would refuse with that errno.
 */
export class KernelError extends Error {
  /** The errno value (positive). */
  readonly errno: number;

  /** Make an error for `errno` with a message saying why. */
  constructor(errno: number, message: string) {
    super(`${errnoName(errno) ?? `errno ${errno}`}: ${message}`);
    this.name = "KernelError";
    this.errno = Math.abs(errno);
  }

  /** The errno's name. */
  get errnoName(): ErrnoName | undefined {
    return errnoName(this.errno);
  }
}

/**
 * A misuse of the model's API by a caller (a bug in a device plugin, a policy or a test), as
 * opposed to an operation the modelled kernel refuses. Carries a stable code for tests.
 */
export class ModelError extends Error {
  /** A short stable code such as `"bad-address"` or `"release-mismatch"`. */
  readonly code: string;

  /** Make an error with a stable `code` and a message. */
  constructor(code: string, message: string) {
    super(message);
    this.name = "ModelError";
    this.code = code;
  }
}
