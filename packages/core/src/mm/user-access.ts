/**
 * User-space memory access: a process touching, reading or writing its own memory, page by page
 * through the fault path (`copy_to_user` / `copy_from_user` semantics with `access_error`
 * checks). Each call emits one `fault` event for the faults it caused.
 * @module
 */
import { EFAULT, EINVAL } from "../errno.js";
import type { MmContext } from "./context.js";
import { PAGE_SIZE } from "../sim/units.js";
import { FAULT_FLAG_WRITE, type FaultStats } from "./fault-flags.js";
import { handleMmFault } from "./fault.js";
import { PTE_PRESENT, PTE_WRITE } from "./page-table.js";
import type { Process } from "./process.js";
import type { Vma } from "./mm-types.js";
import { VM_READ, VM_WRITE } from "./vm-flags.js";

/** `access_error()` (arch/x86/mm/fault.c, v6.12): may this VMA be read (or written) by the process? */
function accessAllowed(vma: Vma, write: boolean): boolean {
  return write ? (vma.flags & VM_WRITE) !== 0 : (vma.flags & VM_READ) !== 0;
}

/**
 * Walk [addr, addr + length) page by page, faulting each page in for read or write; call `visit`
 * with the frame and the byte range inside it. Returns pages visited or `-errno`
 * (EFAULT for an unmapped address or a permission violation, as SIGSEGV).
 */
function walkUser(
  k: MmContext, proc: Process, addr: number, length: number, write: boolean, source: string,
  visit?: (pfn: number, pageOff: number, bufOff: number, len: number) => void,
): number {
  const mm = proc.mm;
  if (mm === null || !proc.alive) return -EFAULT;
  if (!Number.isSafeInteger(addr) || !Number.isSafeInteger(length) || addr < 0 || length < 0) return -EINVAL;
  const stats: FaultStats = {};
  // Counts for pages that were already mapped (accesses, not faults): collected and ignored.
  const ignored: FaultStats = {};
  let done = 0;
  let pages = 0;
  let err = 0;
  let vma: Vma | undefined;
  while (done < length) {
    const pos = addr + done;
    const vpn = Math.floor(pos / PAGE_SIZE);
    const off = pos % PAGE_SIZE;
    const len = Math.min(PAGE_SIZE - off, length - done);
    if (vma === undefined || !vma.contains(pos)) vma = mm.findVma(pos);
    if (vma === undefined || !accessAllowed(vma, write)) {
      err = -EFAULT;
      break;
    }
    const bits = mm.pageTable.bits(vpn);
    const ok = (bits & PTE_PRESENT) !== 0 && (!write || (bits & PTE_WRITE) !== 0);
    const r = handleMmFault(k, vma, vpn, write ? FAULT_FLAG_WRITE : 0, ok ? ignored : stats);
    if (r < 0) {
      err = r;
      break;
    }
    visit?.(mm.pageTable.pfn(vpn), off, done, len);
    done += len;
    pages++;
  }
  const faults = Object.values(stats).reduce((a, b) => a + b, 0);
  if (faults > 0 || err < 0) {
    k.events.emit("fault", {
      pid: proc.pid, start: addr, pages: faults, write, source, counts: stats, ...(err < 0 ? { errno: String(-err) } : {}),
    });
  }
  return err < 0 ? err : pages;
}

/** Fault in [addr, addr + length) for read or write without moving data (`touch`). Returns pages or `-errno`. */
export function touchRange(k: MmContext, proc: Process, addr: number, length: number, write: boolean): number {
  return walkUser(k, proc, addr, length, write, "touch");
}

/** The process writes `data` at `addr` (`copy_to_user()`, include/linux/uaccess.h, v6.12, from its own code). Returns 0 or `-errno`. */
export function userWrite(k: MmContext, proc: Process, addr: number, data: Uint8Array): number {
  const r = walkUser(k, proc, addr, data.length, true, "write", (pfn, off, bufOff, len) => {
    k.memory.contents.write(pfn, off, data.subarray(bufOff, bufOff + len));
    k.observe("onUserWrite", proc.mm!, pfn);
  });
  if (r >= 0) k.events.emit("access", { pid: proc.pid, addr, length: data.length, write: true });
  return r < 0 ? r : 0;
}

/** True when [addr, addr + length) of `proc` is covered by VMAs that may be read. */
function readableSpan(proc: Process, addr: number, length: number): boolean {
  const mm = proc.mm;
  if (mm === null) return false;
  let at = addr;
  while (at < addr + length) {
    const vma = mm.findVma(at);
    if (vma === undefined || !accessAllowed(vma, false)) return false;
    at = vma.end;
  }
  return true;
}

/**
 * The process reads `length` bytes at `addr`. Returns the bytes or `-errno` (EINVAL for a bad
 * length, EFAULT where the range is not readable: the walk still faults the pages before it).
 */
export function userRead(k: MmContext, proc: Process, addr: number, length: number): Uint8Array | number {
  if (!Number.isSafeInteger(length) || length < 0) return -EINVAL;
  // The buffer is only allocated for a range that can be read: a length past the mapping is
  // EFAULT (copy_to_user stops at the first bad byte), not an allocation failure.
  if (!readableSpan(proc, addr, length)) return walkUser(k, proc, addr, length, false, "read");
  const out = new Uint8Array(length);
  const r = walkUser(k, proc, addr, length, false, "read", (pfn, off, bufOff, len) => {
    k.memory.contents.read(pfn, off, len, out, bufOff);
  });
  if (r < 0) return r;
  k.events.emit("access", { pid: proc.pid, addr, length, write: false });
  return out;
}
