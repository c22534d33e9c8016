/**
 * The machine settings a scenario declares, applied to the host for its run and put back after
 * (issue 20), as root only: transparent huge pages (`machine.thp`:
 * /sys/kernel/mm/transparent_hugepage/enabled and the per-size `hugepages-<size>kB/enabled` of
 * mTHP, mm/huge_memory.c), swap (`machine.swap`: a swap file of that size on the scenario's ext4
 * directory, mkswap + swapon, swapoff and removed after) and the 1 GiB hugetlb pool
 * (`machine.hugetlb_1g`); and debugfs, mounted for `split` when it is not. Without root nothing is
 * changed and each difference becomes a caveat.
 * @module
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_THP, type ThpSettings } from "@pinlab/core";
import { parseMounts } from "./host-files.js";

const THP_DIR = "/sys/kernel/mm/transparent_hugepage";

/** The bracketed choice of a sysfs mode file (`always [madvise] never` -> `madvise`). */
export function sysfsChoice(text: string): string | undefined {
  return /\[([a-z+]+)\]/.exec(text)?.[1];
}

/** The sysfs writes that make the host's THP settings `thp`: path -> value (each size listed `inherit`, every other `never`). */
export function thpWrites(thp: ThpSettings, sizesKb: readonly number[]): Map<string, string> {
  const out = new Map<string, string>([[`${THP_DIR}/enabled`, thp.enabled]]);
  const wanted = new Set(thp.sizes.map((b: number) => b / 1024));
  for (const kb of sizesKb) out.set(`${THP_DIR}/hugepages-${kb}kB/enabled`, wanted.has(kb) ? "inherit" : "never");
  return out;
}

/** Settings applied for one scenario, to put back. */
export class HostMachine {
  private readonly saved = new Map<string, string>();
  private swapFile: string | undefined;
  private debugfs: string | { missing: string } | undefined;
  private debugfsMounted: string | undefined;

  /**
   * The debugfs directory (for `split_huge_pages`): a mounted one, else one mounted on a temporary
   * directory as root (unmounted by {@link restore}); or why there is none.
   */
  debugfsDir(root: boolean): string | { missing: string } {
    if (this.debugfs !== undefined) return this.debugfs;
    const mounted = parseMounts(readFileSync("/proc/self/mounts", "utf8")).find((m) => m.type === "debugfs");
    if (mounted !== undefined) return (this.debugfs = mounted.dir);
    if (!root) return (this.debugfs = { missing: "debugfs is not mounted, and mounting it needs root" });
    const dir = mkdtempSync(join(tmpdir(), "pinlab-debugfs-"));
    const r = spawnSync("mount", ["-t", "debugfs", "none", dir], { encoding: "utf8" });
    if (r.status !== 0) {
      rmSync(dir, { recursive: true, force: true });
      return (this.debugfs = { missing: `could not mount debugfs: ${(r.stderr || r.error?.message || "").trim()}` });
    }
    this.debugfsMounted = dir;
    return (this.debugfs = dir);
  }

  /** Apply `thp` (absent: the model's default, madvise with 2 MiB only); returns why not, when it could not. */
  applyThp(thp: ThpSettings | undefined, root: boolean): string | undefined {
    const want = thp ?? DEFAULT_THP;
    if (!existsSync(`${THP_DIR}/enabled`)) return "this kernel has no transparent huge pages";
    // Sizes anonymous memory may use have an `enabled` file (hugepages-8kB, order 1, has only shmem_enabled).
    const sizes = readdirSync(THP_DIR).filter((d) => existsSync(`${THP_DIR}/${d}/enabled`))
      .map((d) => /^hugepages-(\d+)kB$/.exec(d)?.[1]).filter((x): x is string => x !== undefined).map(Number);
    const writes = thpWrites(want, sizes);
    const differs = [...writes].filter(([p, v]) => sysfsChoice(readFileSync(p, "utf8")) !== v);
    if (differs.length === 0) return undefined;
    if (!root) return `the host's THP settings differ from the scenario's (${differs.map(([p]) => p.slice(THP_DIR.length + 1)).join(", ")}) and changing them needs root`;
    for (const [p, v] of differs) {
      this.saved.set(p, sysfsChoice(readFileSync(p, "utf8")) ?? "");
      try {
        writeFileSync(p, v);
      } catch (e) {
        return `could not write ${v} to ${p}: ${(e as Error).message}`;
      }
    }
    return undefined;
  }

  /** Swap on for the run: a swap file of `bytes` in `dir` (an ext4 directory); returns why not, when it could not. */
  addSwap(bytes: number, dir: string | undefined, root: boolean): string | undefined {
    if (hostSwapDevices() > 0) return undefined;
    if (!root) return "the scenario has swap; this host has none, and adding a swap file needs root";
    if (dir === undefined) return "the scenario has swap; no ext4 directory for a swap file";
    const file = join(dir, "pinlab.swap");
    const size = Math.max(bytes, 40 * 1024);
    for (const [cmd, args] of [["fallocate", ["-l", String(size), file]], ["chmod", ["600", file]], ["mkswap", ["-q", file]], ["swapon", [file]]] as const) {
      const r = spawnSync(cmd, [...args], { encoding: "utf8" });
      if (r.status !== 0) return `could not add a swap file (${cmd}: ${(r.stderr || r.error?.message || "").trim().split("\n")[0]})`;
      if (cmd === "mkswap") this.swapFile = file;
    }
    return undefined;
  }

  /** Put every setting back and turn the swap file off; returns the problems (never throws). */
  restore(): string[] {
    const problems: string[] = [];
    if (this.debugfsMounted !== undefined) {
      const r = spawnSync("umount", [this.debugfsMounted], { encoding: "utf8" });
      if (r.status !== 0) problems.push(`umount ${this.debugfsMounted}: ${(r.stderr || "").trim()}`);
      else rmSync(this.debugfsMounted, { recursive: true, force: true });
      this.debugfsMounted = undefined;
    }
    this.debugfs = undefined;
    if (this.swapFile !== undefined) {
      const r = spawnSync("swapoff", [this.swapFile], { encoding: "utf8" });
      if (r.status !== 0 && hostSwapDevices() > 0) problems.push(`swapoff ${this.swapFile}: ${(r.stderr || "").trim()}`);
      this.swapFile = undefined;
    }
    for (const [p, v] of this.saved) {
      try {
        writeFileSync(p, v);
      } catch (e) {
        problems.push(`could not restore ${p} to ${v}: ${(e as Error).message}`);
      }
    }
    this.saved.clear();
    return problems;
  }
}

/** Swap devices in use (`/proc/swaps` lines after its header). */
export function hostSwapDevices(): number {
  try {
    return readFileSync("/proc/swaps", "utf8").trim().split("\n").length - 1;
  } catch {
    return 0;
  }
}
