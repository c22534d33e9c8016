/**
 * `/proc/PID/mem` and ptrace: reading and writing another process's memory with FOLL_FORCE.
 * @module
 */
import { EIO } from "../errno.js";
import type { KernelContext } from "../kernel/context.js";
import { folioMarkDirty } from "../mm/filemap.js";
import type { Process } from "../mm/process.js";
import { PAGE_SIZE } from "../sim/units.js";
import type { GupOptions } from "./call.js";
import { FOLL_FORCE, FOLL_WRITE } from "./foll-flags.js";
import type { Gup } from "./gup.js";

/**
 * `mem_rw()` (fs/proc/base.c, v6.12) -> `access_remote_vm()` -> `__access_remote_vm()`
 * (mm/memory.c, v6.12): read or write `buf.length` bytes of `task`'s memory at `addr`, page by
 * page, each page taken with `get_user_pages_remote(mm, addr, 1, FOLL_FORCE | (write ?
 * FOLL_WRITE : 0), &page)` (`proc_mem_force_override` left at its default, "always"), copied
 * (`copy_to_user_page()` / `copy_from_user_page()`), dirtied on a write (`set_page_dirty_lock()`)
 * and put back (`put_page()`). FOLL_FORCE lets the write through a mapping without VM_WRITE:
 * in a private mapping GUP breaks COW first, so the write lands in an anonymous copy and never in
 * the file; how the retried lookup finds that copy is the era's (`EraRules.forceWrite`: the
 * Dirty COW games of v4.8, FOLL_COW from v4.9, an exclusive anonymous page from v6.0).
 * `opts.raceAfterFault` runs in the window between the COW fault and the retried lookup (another
 * thread's `madvise(MADV_DONTNEED)`: the Dirty COW race). Returns the bytes done; `-EIO` when
 * not even one byte could be (as `mem_rw()` reports it).
 */
export function accessRemoteVm(gup: Gup, k: KernelContext, task: Process, addr: number, buf: Uint8Array, write: boolean, opts: GupOptions = {}): number {
  const flags = FOLL_FORCE | (write ? FOLL_WRITE : 0);
  let done = 0;
  while (done < buf.length) {
    const at = addr + done;
    const off = at % PAGE_SIZE;
    const pages: number[] = [];
    if (gup.getUserPagesRemote(task, at - off, 1, flags, pages, opts) <= 0) break;
    const pfn = pages[0];
    const bytes = Math.min(buf.length - done, PAGE_SIZE - off);
    if (write) {
      k.memory.contents.write(pfn, off, buf.subarray(done, done + bytes));
      folioMarkDirty(k, pfn);
      k.observe("onUserWrite", task.mm!, pfn);
    } else {
      k.memory.contents.read(pfn, off, bytes, buf, done);
    }
    gup.putPage(pfn);
    done += bytes;
  }
  return done > 0 ? done : -EIO;
}
