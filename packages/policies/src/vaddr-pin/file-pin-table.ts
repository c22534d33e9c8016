/**
 * File-pin objects of the vaddr_pin RFC ("[RFC PATCH v2 13/19] {mm,file}: Add file_pins objects").
 * @module
 */
import type { FilePinRecord, Inode, VaddrPinOwner } from "@pinlab/core";

/** Bytes one file-pin object costs: a `file_file_pin` / `mm_file_pin` from kzalloc, i.e. kmalloc-64. */
export const FILE_PIN_BYTES = 64;

/** One file-pin object: an owner's pins of one file. */
interface FilePinEntry {
  /** `file:NAME` (a `file_file_pin`) or `mm:PID` (an `mm_file_pin`). */
  readonly owner: string;
  /** The pinned file. */
  readonly inode: Inode;
  /** The process whose `/proc/<pid>/file_pins` lists it. */
  readonly pid: number;
  /** The kref: pages of the file pinned through this owner. */
  refs: number;
}

/**
 * `owner` as the RFC charges it: to the owning file when there is one (RDMA: the uverbs context
 * file), else to the mm. Returns the `/proc/<pid>/file_pins` spelling and the listing pid.
 */
export function ownerKey(owner: VaddrPinOwner, pid: number): { key: string; pid: number } {
  if (owner.file !== undefined) return { key: `file:${owner.file}`, pid };
  const mmPid = owner.pid ?? pid;
  return { key: `mm:${mmPid}`, pid: mmPid };
}

/**
 * Every file-pin object of one kernel instance: one per (owner, pinned file) pair, whose kref
 * counts the pages pinned, so its cost grows with the files an owner pins and not with pages
 * (reference §3.4). Recording scans nothing per page: a Map keyed by owner and inode id.
 */
export class FilePinTable {
  private readonly entries = new Map<string, FilePinEntry>();

  /** Number of file-pin objects. */
  get size(): number {
    return this.entries.size;
  }

  /**
   * `add_file_pin()` (RFC 14/19): find the owner's object for `inode` and take `pages` krefs, or
   * create it (GFP_ATOMIC in the RFC; it also takes a file or inode+mm reference).
   */
  add(owner: VaddrPinOwner, pid: number, inode: Inode, pages: number): void {
    const o = ownerKey(owner, pid);
    const k = `${o.key}\u0000${inode.id}`;
    const e = this.entries.get(k);
    if (e !== undefined) e.refs += pages;
    else this.entries.set(k, { owner: o.key, inode, pid: o.pid, refs: pages });
  }

  /**
   * `mapping_release_file()` (RFC 14/19): drop `pages` krefs of the owner's object for `inode`;
   * at zero the object is unlinked and freed. Pages that were never recorded are ignored.
   */
  drop(owner: VaddrPinOwner, pid: number, inode: Inode, pages: number): void {
    const k = `${ownerKey(owner, pid).key}\u0000${inode.id}`;
    const e = this.entries.get(k);
    if (e === undefined) return;
    e.refs -= Math.min(pages, e.refs);
    if (e.refs === 0) this.entries.delete(k);
  }

  /** True when any owner holds file pins on `inode` (what truncate asks). */
  hasPins(inode: Inode): boolean {
    for (const e of this.entries.values()) if (e.inode === inode) return true;
    return false;
  }

  /** Pages of `inode` pinned by objects listed under `pid`. */
  pinsOf(pid: number, inode: Inode): number {
    let n = 0;
    for (const e of this.entries.values()) if (e.pid === pid && e.inode === inode) n += e.refs;
    return n;
  }

  /** The `/proc/<pid>/file_pins` view (RFC 18/19): owner, pinned file and kref, sorted by owner then file. */
  list(pid: number): FilePinRecord[] {
    const out: FilePinRecord[] = [];
    for (const e of this.entries.values()) if (e.pid === pid) out.push({ owner: e.owner, file: e.inode.name, refs: e.refs });
    return out.sort((a, b) => (a.owner === b.owner ? (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) : a.owner < b.owner ? -1 : 1));
  }
}
