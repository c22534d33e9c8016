/**
 * The `writeback` fault point: a page's writeback IO completes with EIO, as ext4_finish_bio()
 * and mpage_write_end_io() handle a bio with bi_status set (fs/ext4/page-io.c, fs/mpage.c,
 * v6.12): mapping_set_error() records EIO on the file, folio_end_writeback() ends the writeback
 * all the same, the folio stays clean and the disk keeps the old data. fsync's
 * filemap_write_and_wait_range() reports the error once (filemap_check_errors()).
 */
import { describe, expect, it } from "vitest";
import { EIO, ENOSPC } from "../errno.js";
import { PG_DIRTY, PG_WRITEBACK } from "../memory/page-flags.js";
import { reclaim } from "../migrate/reclaim.js";
import { readFileData } from "../mm/filemap.js";
import { doMmap } from "../mm/mmap.js";
import { userWrite } from "../mm/user-access.js";
import { VM_READ, VM_WRITE } from "../mm/vm-flags.js";
import type { FaultSpec } from "../sim/fault-spec.js";
import { PAGE_SIZE } from "../sim/units.js";
import { expectConsistent, testKernel } from "../testing/kernel.js";
import { doTruncate } from "./truncate.js";
import { filemapCheckErrors, mappingSetError } from "./writeback-error.js";
import { filemapWriteAndWait, writeback } from "./writeback.js";

const P = PAGE_SIZE;
const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b).replace(/\0+$/, "");

function setup(spec: FaultSpec) {
  const inst = testKernel({ keepEventLog: true, faults: { writeback: spec } });
  const k = inst.kernel;
  const p = k.spawn("p");
  const file = k.createFile("f", "ext4", 4 * P);
  const a = doMmap(k, p, { length: 4 * P, prot: VM_READ | VM_WRITE, shared: true, anonymous: false, file });
  const ends = () => k.events.events.filter((e) => e.type === "writeback_end");
  return { inst, k, p, file, a, ends };
}

describe("the writeback fault point", () => {
  it("a failed IO records EIO on the file, ends writeback, leaves the folio clean and the disk as it was", () => {
    const { inst, k, p, file, a, ends } = setup({ at: [2] });
    expect(userWrite(k, p, a, enc("zero"))).toBe(0);
    expect(userWrite(k, p, a + P, enc("one"))).toBe(0);
    expect(writeback(k, file)).toBe(2);
    const lost = file.cache.get(1)!;
    expect(k.frames.flags[lost] & (PG_DIRTY | PG_WRITEBACK)).toBe(0);
    expect(file.backing.has(1)).toBe(false);
    expect(dec(file.backing.get(0)!.subarray(0, 4))).toBe("zero");
    expect(file.mappingError).toBe(EIO);
    expect(ends().at(-1)).toMatchObject({ pages: 2, errors: 1 });
    // The page cache still holds the data; once reclaim drops the clean page, it is gone.
    expect(dec(readFileData(k, file, P, 3))).toBe("one");
    expect(reclaim(k, file).reclaimed).toBe(2);
    expect(dec(readFileData(k, file, P, 3))).toBe("");
    expect(dec(readFileData(k, file, 0, 4))).toBe("zero");
    expect(inst.faults.stats().writeback).toEqual({ calls: 2, injected: 1 });
    expectConsistent(inst);
  });

  it("fsync (filemap_write_and_wait_range) answers EIO once, then the error is forgotten", () => {
    const { inst, k, p, file, a } = setup({ at: [1] });
    expect(userWrite(k, p, a, enc("data"))).toBe(0);
    expect(filemapWriteAndWait(k, file)).toBe(-EIO);
    expect(file.mappingError).toBe(0);
    expect(filemapWriteAndWait(k, file)).toBe(0);
    // Not re-dirtied: the next writeback has nothing to write unless the process writes again.
    expect(userWrite(k, p, a, enc("again"))).toBe(0);
    expect(filemapWriteAndWait(k, file)).toBe(1);
    expect(dec(file.backing.get(0)!.subarray(0, 5))).toBe("again");
    expectConsistent(inst);
  });

  it("an asynchronous writeback's error waits on the file for the next synchronous one", () => {
    const { inst, k, p, file, a, ends } = setup({ every: 1 });
    expect(userWrite(k, p, a, enc("data"))).toBe(0);
    expect(writeback(k, file, { async: true })).toBe(1);
    expect(file.mappingError).toBe(0);
    k.clock.settle();
    expect(ends().at(-1)).toMatchObject({ pages: 1, errors: 1 });
    expect(file.mappingError).toBe(EIO);
    expect(filemapWriteAndWait(k, undefined)).toBe(-EIO);
    expect(filemapWriteAndWait(k, undefined)).toBe(0);
    expectConsistent(inst);
  });

  it("a truncate that ends the IO early leaves nothing for the completion to decide: no call", () => {
    const { inst, k, p, file, a } = setup({ every: 1 });
    expect(userWrite(k, p, a, enc("data"))).toBe(0);
    expect(writeback(k, file, { async: true })).toBe(1);
    expect(doTruncate(k, file, 0)).toBe(0);
    k.clock.settle();
    expect(inst.faults.stats().writeback).toEqual({ calls: 0, injected: 0 });
    expect(file.mappingError).toBe(0);
    expectConsistent(inst);
  });

  it("mapping_set_error keeps EIO over ENOSPC, as filemap_check_errors reports it", () => {
    const { file } = setup({ every: 1 });
    mappingSetError(file, -ENOSPC);
    expect(file.mappingError).toBe(ENOSPC);
    mappingSetError(file, -EIO);
    mappingSetError(file, -ENOSPC);
    expect(filemapCheckErrors(file)).toBe(-EIO);
    expect(filemapCheckErrors(file)).toBe(0);
  });
});
