// The parts of `pinlab host` (issue 20) that need no kernel: which model era a host kernel gets,
// where a path's mount is, how THP settings become sysfs writes, the summary, which policy runs,
// and how a model value is put beside the host's.
import { describe, expect, it } from "vitest";
import { KERNEL_ERAS, type ExpectationResult } from "@pinlab/core";
import { kernelVersion, nearestEra } from "./host-facts.js";
import { mountOf, parseMounts } from "./host-files.js";
import { sysfsChoice, thpWrites } from "./host-machine.js";
import { summarize, type ScenarioHostReport } from "./host-report.js";
import { modelValue } from "./host-run.js";
import { hexText, dataHex } from "./host-outcome.js";
import { protLetters } from "./host-steps.js";

describe("the model era of a host kernel", () => {
  it("reads major.minor from releases and era ids", () => {
    expect(kernelVersion("6.18.44-fc-v1045")).toEqual([6, 18]);
    expect(kernelVersion("v5.9-rc4")).toEqual([5, 9]);
    expect(kernelVersion("Darwin")).toBeUndefined();
  });

  it("is the newest era not newer than the host, never an -rc era", () => {
    expect(nearestEra("6.18.44-1-amd64")).toBe("v6.12");
    expect(nearestEra("6.12.0")).toBe("v6.12");
    expect(nearestEra("6.11.9")).toBe("v6.5");
    expect(nearestEra("5.9.0")).toBe("v5.9");
    expect(nearestEra("5.8.18")).toBe("v5.8");
    expect(nearestEra("3.10.0")).toBe(KERNEL_ERAS[0]!.id);
    expect(nearestEra("not-a-version")).toBe(KERNEL_ERAS[KERNEL_ERAS.length - 1]!.id);
  });
});

describe("mounts", () => {
  const mounts = parseMounts([
    "/dev/vda / ext4 rw,relatime 0 0",
    "tmpfs /dev/shm tmpfs rw,nosuid 0 0",
    "none /mnt/my\\040huge hugetlbfs rw,pagesize=2M 0 0",
    "short line",
  ].join("\n"));

  it("parses /proc/self/mounts, unescaping spaces", () => {
    expect(mounts).toEqual([
      { dir: "/", type: "ext4", options: "rw,relatime" },
      { dir: "/dev/shm", type: "tmpfs", options: "rw,nosuid" },
      { dir: "/mnt/my huge", type: "hugetlbfs", options: "rw,pagesize=2M" },
    ]);
  });

  it("finds the longest mount point above a path", () => {
    expect(mountOf("/dev/shm/x", mounts)?.type).toBe("tmpfs");
    expect(mountOf("/dev/shmem", mounts)?.type).toBe("ext4");
    expect(mountOf("/mnt/my huge/f", mounts)?.type).toBe("hugetlbfs");
    expect(mountOf("/tmp", mounts)?.dir).toBe("/");
  });
});

describe("THP settings as sysfs writes", () => {
  it("reads the bracketed choice", () => {
    expect(sysfsChoice("always [madvise] never\n")).toBe("madvise");
    expect(sysfsChoice("always inherit madvise [never]")).toBe("never");
    expect(sysfsChoice("nothing chosen")).toBeUndefined();
  });

  it("enables the listed sizes (inherit) and disables every other", () => {
    const w = thpWrites({ enabled: "always", sizes: [16384, 65536] }, [16, 32, 64, 2048]);
    expect(Object.fromEntries([...w].map(([p, v]) => [p.replace("/sys/kernel/mm/transparent_hugepage/", ""), v]))).toEqual({
      enabled: "always", "hugepages-16kB/enabled": "inherit", "hugepages-32kB/enabled": "never",
      "hugepages-64kB/enabled": "inherit", "hugepages-2048kB/enabled": "never",
    });
  });
});

describe("values", () => {
  it("turns a same_frame_as result into: the same frame or not", () => {
    const r = (actual: unknown): ExpectationResult => ({ key: "page.same_frame_as", expected: {}, actual, pass: true, byPolicy: false });
    expect(modelValue(r({ frame: 7, other: 7 }))).toBe(true);
    expect(modelValue(r({ frame: 7, other: 8 }))).toBe(false);
    expect(modelValue(r({ frame: "not present", other: "none" }))).toBe(false);
    expect(modelValue({ key: "data", expected: "x", actual: "y", pass: false, byPolicy: false })).toBe("y");
  });

  it("carries data strings as hex both ways, NULs and UTF-8 included", () => {
    expect(dataHex("ab\0")).toBe("616200");
    expect(hexText("616200")).toBe("ab\0");
    expect(hexText(dataHex("é"))).toBe("é");
  });

  it("writes prot as the agent's letters", () => {
    expect(protLetters(["write", "read"])).toBe("rw");
    expect(protLetters([])).toBe("none");
    expect(protLetters(["exec", "read"])).toBe("rx");
  });

  it("sums a report: observed expectations only, agree and disagree", () => {
    const sc = (agree: (boolean | null)[]): ScenarioHostReport => ({
      file: "f", name: "n", policy: "pin-bias", kernel: "v6.12", steps: 4, hostSteps: 3, skipped: [], approximate: [], outcomes: [],
      expectations: agree.map((a, i) => ({ step: i, key: "ok", expected: true, model: true, host: a === null ? null : a, observable: a !== null, agree: a, modelPasses: true })),
    });
    expect(summarize([sc([true, false, null]), sc([true])])).toEqual({ steps: 8, hostSteps: 6, observed: 3, agree: 2, disagree: 1, outcomesDiffer: 0, stopped: 0 });
  });
});

describe("the host lock", () => {
  it("is taken, waited for while a live process holds it, and taken over from a dead one", async () => {
    const { mkdtempSync, readFileSync, writeFileSync, existsSync, rmSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const { takeHostLock } = await import("./host-lock.js");
    const dir = mkdtempSync(join(tmpdir(), "pinlab-lock-"));
    try {
      const path = join(dir, "lock");
      const release = await takeHostLock(() => undefined, 1000, path);
      expect(readFileSync(path, "utf8").trim()).toBe(String(process.pid));
      release();
      expect(existsSync(path)).toBe(false);
      // A holder that is gone (no such pid) is taken over.
      writeFileSync(path, "2147483646\n");
      const again = await takeHostLock(() => undefined, 1000, path);
      expect(readFileSync(path, "utf8").trim()).toBe(String(process.pid));
      again();
      // A live holder (the parent of this test process): waited for, told once, then a timeout naming it.
      writeFileSync(path, `${process.ppid}\n`);
      const told: number[] = [];
      await expect(takeHostLock((pid) => told.push(pid), 300, path)).rejects.toThrow(new RegExp(`another pinlab host run \\(pid ${process.ppid}\\)`));
      expect(told).toEqual([process.ppid]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
