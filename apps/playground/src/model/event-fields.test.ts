import type { KernelEvent } from "@pinlab/core";
import { describe, expect, it } from "vitest";
import { eventFields, formatField } from "./event-fields.js";

describe("event fields", () => {
  it("shows addresses in hex and frames, counts and sizes in decimal", () => {
    const cow = { type: "cow", seq: 3, t: 10, pid: 1, addr: 0x7f0000001000, oldPfn: 42, newPfn: 43, reason: "write" } as KernelEvent;
    expect(eventFields(cow)).toEqual([
      { key: "pid", text: "1" },
      { key: "addr", text: "0x7f0000001000" },
      { key: "oldPfn", text: "42", pfn: 42 },
      { key: "newPfn", text: "43", pfn: 43 },
      { key: "reason", text: "write" },
    ]);
    const gup = { type: "gup", seq: 4, t: 0, call: "pin_user_pages", pid: 1, start: 4096, nrPages: 16, flags: ["FOLL_WRITE"], mode: "pin", got: 16, fastPages: 0, slowPages: 16, migrated: 0 } as KernelEvent;
    const byKey = Object.fromEntries(eventFields(gup).map((f) => [f.key, f.text]));
    expect(byKey.start).toBe("0x1000");
    expect(byKey.nrPages).toBe("16");
    expect(byKey.got).toBe("16");
    expect(byKey.flags).toBe("[FOLL_WRITE]");
  });

  it("shows mremap's new address in hex, not its lengths", () => {
    const e = { type: "mremap", seq: 1, t: 0, pid: 1, start: 0x200000, oldLength: 8192, newStart: 0x400000, newLength: 16384, how: "move" } as KernelEvent;
    const byKey = Object.fromEntries(eventFields(e).map((f) => [f.key, f.text]));
    expect(byKey).toMatchObject({ start: "0x200000", oldLength: "8192", newStart: "0x400000", newLength: "16384" });
  });

  it("applies the rule inside a device event's detail", () => {
    expect(formatField("detail", { pid: 2, addr: 65536, npages: 4 })).toBe("{pid:2,addr:0x10000,npages:4}");
  });
});
