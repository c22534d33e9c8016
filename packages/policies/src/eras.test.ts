import { describe, expect, it } from "vitest";
import {
  EFAULT, FOLL_LONGTERM, FOLL_PIN, FOLL_WRITE, PAGE_SIZE, doFork, userRead, userWrite, type Process,
} from "@pinlab/core";
import { Lab, policyKernel } from "./test-support/lab.js";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array | number) => (typeof b === "number" ? `errno ${b}` : new TextDecoder().decode(b));

function at(policy: string, kernel: string, machine: Record<string, unknown> = { memory: "64MiB" }): Lab {
  return new Lab(policyKernel(policy, {}, machine as { memory: string }, { kernel }));
}

/**
 * RDMA registration, fork, the child writes first, then the parent; the device then writes.
 * Returns whether the parent still maps the registered frame (no divergence).
 */
function childWritesFirst(l: Lab): { parentKeeps: boolean; parentSees: string; copiedForDma: number } {
  let copied = 0;
  l.k.events.on("fork", (e) => (copied = e.copiedForDma));
  const parent = l.spawn("parent");
  const a = l.map(parent, 1);
  expect(userWrite(l.k, parent, a, enc("origin"))).toBe(0);
  const pages: number[] = [];
  expect(l.gup.pinUserPagesFast(parent, a, 1, FOLL_LONGTERM | FOLL_WRITE, pages)).toBe(1);
  const child = doFork(l.k, parent, "child") as Process;
  expect(userWrite(l.k, child, a, enc("child!"))).toBe(0);
  expect(userWrite(l.k, parent, a, enc("parent"))).toBe(0);
  l.k.memory.contents.write(pages[0], 0, enc("device"));
  l.check();
  const out = { parentKeeps: l.pfnAt(parent, a) === pages[0], parentSees: dec(userRead(l.k, parent, a, 6)), copiedForDma: copied };
  l.gup.unpinUserPages(pages, 1);
  return out;
}

describe("kernel eras: the rules that changed, as the policies meet them", () => {
  it("legacy-get runs on v5.3 by default, the others on v6.12", () => {
    expect(at("legacy-get", "v5.3").k.kernelEra.id).toBe("v5.3");
    expect(new Lab(policyKernel("legacy-get")).k.kernelEra.id).toBe("v5.3");
    expect(new Lab(policyKernel("pin-bias")).k.kernelEra.id).toBe("v6.12");
    expect(new Lab(policyKernel("legacy-get", {}, { memory: "64MiB" }, { kernel: "v6.12" })).k.kernelEra.id).toBe("v6.12");
  });

  it("RDMA + fork, child writes first: no divergence by mapcount (v5.3), divergence by refcount (v5.9-rc4), early COW from v5.9", () => {
    // v5.3: the child copies (mapcount 2); the parent's page is then mapped once and reused under the device.
    expect(childWritesFirst(at("legacy-get", "v5.3"))).toEqual({ parentKeeps: true, parentSees: "device", copiedForDma: 0 });
    expect(childWritesFirst(at("pin-bias", "v5.8"))).toEqual({ parentKeeps: true, parentSees: "device", copiedForDma: 0 });
    // 09854ba94c6a: the parent's page has refcount 2 (its mapping + the pin): the parent copies away from the device.
    expect(childWritesFirst(at("pin-bias", "v5.9-rc4"))).toEqual({ parentKeeps: false, parentSees: "parent", copiedForDma: 0 });
    expect(childWritesFirst(at("legacy-get", "v6.12"))).toEqual({ parentKeeps: false, parentSees: "parent", copiedForDma: 0 });
    // 70e806e4e645: fork gives the child a copy of the pinned page; the parent keeps it writable.
    expect(childWritesFirst(at("pin-bias", "v5.9"))).toEqual({ parentKeeps: true, parentSees: "device", copiedForDma: 1 });
    expect(childWritesFirst(at("exact-pincount", "v6.12"))).toEqual({ parentKeeps: true, parentSees: "device", copiedForDma: 1 });
  });

  it("before v5.7 every policy's pins are plain references", () => {
    const l = at("pin-bias", "v5.3");
    const p = l.spawn("p");
    const a = l.map(p, 1);
    l.touch(p, a, 1, true);
    const pages: number[] = [];
    expect(l.gup.pinUserPages(p, a, 1, FOLL_WRITE, pages)).toBe(1);
    expect(l.k.frames.refcount[pages[0]]).toBe(2);
    expect(l.policy.countsPins).toBe(false);
    expect(l.policy.maybeDmaPinned(pages[0])).toBe(false);
    expect(l.k.vmstat.nr_foll_pin_acquired).toBe(0);
    expect(p.mm!.hasPinned).toBe(false);
    l.check();
    l.gup.unpinUserPages(pages, 1);
    expect(l.k.frames.refcount[pages[0]]).toBe(1);
    expect(l.k.vmstat.nr_gup_get_released).toBe(1);
  });

  it("v5.8 breaks COW at GUP time even for a read of a shared page; v5.9 takes the shared page", () => {
    for (const [kernel, own] of [["v5.8", true], ["v5.9", false], ["v5.7", false]] as const) {
      const l = at("pin-bias", kernel);
      const parent = l.spawn("parent");
      const a = l.map(parent, 1);
      l.touch(parent, a, 1, true);
      const child = doFork(l.k, parent, "child") as Process;
      const shared = l.pfnAt(child, a);
      const pages: number[] = [];
      expect(l.gup.getUserPagesFast(child, a, 1, 0, pages)).toBe(1);
      expect(pages[0] !== shared, kernel).toBe(own);
      expect(l.pfnAt(child, a)).toBe(pages[0]);
      l.check();
      l.gup.putPages(pages, 1);
    }
  });

  it("a read-only pin unshares a shared anonymous page from v5.19 only", () => {
    for (const [kernel, unshared] of [["v5.18", false], ["v5.19", true]] as const) {
      const l = at("pin-bias", kernel);
      const parent = l.spawn("parent");
      const a = l.map(parent, 1);
      l.touch(parent, a, 1, true);
      doFork(l.k, parent, "child");
      const shared = l.pfnAt(parent, a);
      const pages: number[] = [];
      expect(l.gup.pinUserPages(parent, a, 1, 0, pages)).toBe(1);
      expect(pages[0] !== shared, kernel).toBe(unshared);
      l.gup.unpinUserPages(pages, 1);
    }
  });

  it("the zero page is pinned before v6.5 and not after", () => {
    for (const [kernel, delta] of [["v5.19", 1024], ["v6.5", 0]] as const) {
      const l = at("pin-bias", kernel);
      const p = l.spawn("p");
      const a = l.map(p, 1);
      l.touch(p, a, 1, false);
      const zero = l.k.memory.zeroPfn;
      const before = l.k.frames.refcount[zero];
      const pages: number[] = [];
      expect(l.gup.pinUserPages(p, a, 1, 0, pages)).toBe(1);
      expect(l.k.frames.refcount[zero] - before, kernel).toBe(delta);
      expect(l.k.vmstat.nr_foll_pin_acquired, kernel).toBe(delta === 0 ? 0 : 1);
      l.gup.unpinUserPages(pages, 1);
      expect(l.k.frames.refcount[zero]).toBe(before);
    }
  });

  it("a writable long-term pin of a shared ext4 mapping is allowed before v6.5 and EFAULT after", () => {
    for (const [kernel, res] of [["v5.19", 1], ["v6.5", -EFAULT]] as const) {
      const l = at("pin-bias", kernel);
      const p = l.spawn("p");
      const file = l.k.createFile("f", "ext4", PAGE_SIZE);
      const a = l.map(p, 1, { shared: true, file });
      l.touch(p, a, 1, true);
      const pages: number[] = [];
      expect(l.gup.pinUserPages(p, a, 1, FOLL_LONGTERM | FOLL_WRITE, pages), kernel).toBe(res);
      if (res === 1) l.gup.unpinUserPages(pages, 1);
    }
  });

  it("FOLL_LONGTERM without FOLL_PIN: accepted before v6.5, EINVAL after", () => {
    expect(at("pin-bias", "v5.19").policy.checkFlags(FOLL_LONGTERM)).toBe(0);
    expect(at("pin-bias", "v6.5").policy.checkFlags(FOLL_LONGTERM)).not.toBe(0);
    expect(at("pin-bias", "v6.5").policy.checkFlags(FOLL_LONGTERM | FOLL_PIN)).toBe(0);
  });
});
