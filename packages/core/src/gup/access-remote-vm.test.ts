/**
 * `/proc/PID/mem` writes (`access_remote_vm()` with FOLL_FORCE, mm/memory.c v6.12) into a
 * read-only private file mapping, by era: the COW copy takes the bytes, except in the Dirty COW
 * race before v4.9.
 *
 *   p's address space:  [ ro: MAP_PRIVATE of "f", PROT_READ, 1 page ]
 */
import { describe, expect, it } from "vitest";
import { EIO } from "../errno.js";
import { readFileData } from "../mm/filemap.js";
import { doMadvise } from "../mm/madvise.js";
import { doMmap } from "../mm/mmap.js";
import { userRead } from "../mm/user-access.js";
import { VM_READ } from "../mm/vm-flags.js";
import { PAGE_SIZE } from "../sim/units.js";
import { expectConsistent, testKernel } from "../testing/index.js";
import { accessRemoteVm } from "./access-remote-vm.js";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array | number) => (typeof b === "number" ? `errno ${b}` : new TextDecoder().decode(b));

function setup(kernel: string, shared = false) {
  const inst = testKernel({ kernel });
  const k = inst.kernel;
  const p = k.spawn("p");
  const file = k.createFile("f", "ext4", PAGE_SIZE);
  const a = doMmap(k, p, { length: PAGE_SIZE, prot: VM_READ, shared, anonymous: false, file });
  expect(dec(userRead(k, p, a, 4))).toBe("\0\0\0\0");
  return { inst, k, p, file, a };
}

describe("accessRemoteVm (FOLL_FORCE)", () => {
  it.each(["v4.8", "v4.9", "v5.8", "v6.12"])("at %s writes a read-only private mapping through a COW copy, never the file", (kernel) => {
    const { inst, k, p, file, a } = setup(kernel);
    expect(accessRemoteVm(inst.gup, k, p, a + 1, enc("abc"), true)).toBe(3);
    expect(dec(userRead(k, p, a, 4))).toBe("\0abc");
    expect(dec(readFileData(k, file, 0, 4))).toBe("\0\0\0\0");
    const back = new Uint8Array(3);
    expect(accessRemoteVm(inst.gup, k, p, a + 1, back, false)).toBe(3);
    expect(dec(back)).toBe("abc");
    expectConsistent(inst);
  });

  it.each([["v4.8", "HACK"], ["v4.9", "\0\0\0\0"], ["v6.12", "\0\0\0\0"]])("at %s, with the copy dropped after the COW fault, the file reads %j", (kernel, fileBytes) => {
    const { inst, k, p, file, a } = setup(kernel);
    let raced = false;
    const raceAfterFault = () => {
      if (raced) return;
      raced = true;
      expect(doMadvise(k, p, a, PAGE_SIZE, "dontneed")).toBeGreaterThanOrEqual(0);
    };
    expect(accessRemoteVm(inst.gup, k, p, a, enc("HACK"), true, { raceAfterFault })).toBe(4);
    expect(raced).toBe(true);
    expect(dec(readFileData(k, file, 0, 4))).toBe(fileBytes);
    expectConsistent(inst);
  });

  it("refuses a forced write through a read-only shared mapping (EFAULT from GUP: mem_rw's EIO)", () => {
    const { inst, k, p, a } = setup("v6.12", true);
    expect(accessRemoteVm(inst.gup, k, p, a, enc("x"), true)).toBe(-EIO);
    expectConsistent(inst);
  });
});
