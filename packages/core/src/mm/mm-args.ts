/**
 * Argument checks the mm system calls share (mmap, munmap, mprotect, madvise).
 * @module
 */
import { EINVAL } from "../errno.js";
import { PAGE_SIZE } from "../sim/units.js";
import { TASK_SIZE, type MmStruct } from "./mm-types.js";
import { VM_EXEC, VM_READ, VM_WRITE } from "./vm-flags.js";
import type { Process } from "./process.js";

/** The protection bits a caller may pass (PROT_READ | PROT_WRITE | PROT_EXEC as VM_* bits). */
export const PROT_MASK = VM_READ | VM_WRITE | VM_EXEC;

/** `n` rounded up to a multiple of `a` (`PAGE_ALIGN`, or huge-page alignment for hugetlb). */
export function pageAlign(n: number, a = PAGE_SIZE): number {
  return Math.ceil(n / a) * a;
}

/** The live mm of `proc`, or null once it exited (operations on it then fail with ENOENT). */
export function liveMm(proc: Process): MmStruct | null {
  return proc.alive && proc.mm !== null && proc.mm.live ? proc.mm : null;
}

/** The range checks of munmap, mprotect and madvise: a page-aligned, non-negative start and a positive length below TASK_SIZE. 0 or -EINVAL. */
export function checkUserRange(addr: number, length: number): number {
  if (!Number.isSafeInteger(addr) || addr % PAGE_SIZE !== 0 || addr < 0) return -EINVAL;
  if (!Number.isSafeInteger(length) || length <= 0) return -EINVAL;
  if (addr + pageAlign(length) > TASK_SIZE) return -EINVAL;
  return 0;
}
