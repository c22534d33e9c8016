/**
 * The files of a scenario on the host (issue 20): each `files[]` entry becomes a real file of its
 * declared size, on a file system of its kind, in a temporary directory removed afterwards:
 * `ext4` on a loop-mounted ext4 image as root (its block device is what `from: disk` reads), else
 * on an ext4 or xfs mount (the temporary directory's, `/tmp`, `/var/tmp` or the working
 * directory's), `shmem` on tmpfs (`/dev/shm`),
 * `hugetlbfs` on a hugetlbfs mount (an existing one, else one mounted as root). `fsdax` needs a
 * pmem device mounted with `-o dax`, which pinlab does not set up: such a file is "not on this
 * host". Everything mounted or created is undone by {@link HostFiles.cleanUp}.
 * @module
 */
import { spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, ftruncateSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

/** A mount point, its file system type and options, from `/proc/self/mounts`. */
export interface MountEntry {
  /** The mount point. */
  readonly dir: string;
  /** The file system type (`ext4`, `tmpfs`, `hugetlbfs`, ...). */
  readonly type: string;
  /** The mount options. */
  readonly options: string;
}

/** Parse `/proc/self/mounts` (fstab format: `\040` escapes a space). */
export function parseMounts(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split("\n")) {
    const f = line.split(" ");
    if (f.length < 4) continue;
    out.push({ dir: f[1]!.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))), type: f[2]!, options: f[3]! });
  }
  return out;
}

/** The mount a path lives on: the longest mount point that is a prefix of it. */
export function mountOf(path: string, mounts: readonly MountEntry[]): MountEntry | undefined {
  const abs = resolve(path);
  let best: MountEntry | undefined;
  for (const m of mounts) {
    const prefix = m.dir === "/" ? "/" : `${m.dir}/`;
    if ((abs === m.dir || abs.startsWith(prefix)) && (best === undefined || m.dir.length >= best.dir.length)) best = m;
  }
  return best;
}

/** The kind of a scenario file (`files[].fs`). */
export type FileKind = "ext4" | "shmem" | "hugetlbfs" | "fsdax";

/** Where a scenario's file is on the host, or why it is not. */
export type HostFile = { readonly path: string; readonly fsType: string } | { readonly missing: string };

function run(cmd: string, args: readonly string[]): string | undefined {
  const r = spawnSync(cmd, [...args], { encoding: "utf8" });
  if (r.error !== undefined) return `${cmd}: ${r.error.message}`;
  if (r.status !== 0) return `${cmd} ${args.join(" ")}: ${(r.stderr || r.stdout).trim().split("\n")[0] ?? `status ${r.status}`}`;
  return undefined;
}

/** The scenario files of one run on the host, and what was set up for them. */
export class HostFiles {
  private readonly dirs = new Map<FileKind, string | { missing: string }>();
  private readonly made: string[] = [];
  private readonly mounted: string[] = [];
  private readonly files = new Map<string, HostFile>();

  /** @param root running as root (may mount). @param cwd the working directory (a candidate for ext4). */
  constructor(private readonly root: boolean, private readonly cwd: string) {}

  private mounts(): MountEntry[] {
    return parseMounts(readFileSync("/proc/self/mounts", "utf8"));
  }

  private tempIn(parent: string): string {
    const d = mkdtempSync(join(parent, "pinlab-host-"));
    this.made.push(d);
    return d;
  }

  private dirFor(kind: FileKind): string | { missing: string } {
    const known = this.dirs.get(kind);
    if (known !== undefined) return known;
    const found = this.findDir(kind);
    this.dirs.set(kind, found);
    return found;
  }

  private findDir(kind: FileKind): string | { missing: string } {
    const mounts = this.mounts();
    if (kind === "fsdax") {
      const dax = mounts.find((m) => /(^|,)dax(=always)?(,|$)/.test(m.options));
      return dax !== undefined ? { missing: `fsdax files are not set up by pinlab (a dax mount exists at ${dax.dir}; run the scenario there by hand)` }
        : { missing: "no pmem device mounted with -o dax on this host" };
    }
    if (kind === "shmem") {
      const shm = mountOf("/dev/shm", mounts);
      if (shm?.type === "tmpfs") return this.tempIn("/dev/shm");
      return { missing: "no tmpfs at /dev/shm" };
    }
    if (kind === "hugetlbfs") {
      const existing = mounts.find((m) => m.type === "hugetlbfs" && !/pagesize=1024M|pagesize=1G/.test(m.options));
      if (existing !== undefined) return this.tempIn(existing.dir);
      if (!this.root) return { missing: "no hugetlbfs mount, and mounting one needs root" };
      const dir = mkdtempSync(join(tmpdir(), "pinlab-hugetlbfs-"));
      this.made.push(dir);
      const why = run("mount", ["-t", "hugetlbfs", "-o", "pagesize=2M", "none", dir]);
      if (why !== undefined) return { missing: `could not mount hugetlbfs: ${why}` };
      this.mounted.push(dir);
      return dir;
    }
    // As root, a fresh ext4 on a loop device: its block device can be read for `from: disk` (a
    // VM may refuse opening its own disk even to root), and nothing else writes there.
    if (this.root) {
      const loop = this.loopExt4();
      if (typeof loop === "string") return loop;
    }
    const block = this.blockTempDir(mounts);
    if (block !== undefined) return block;
    if (!this.root) return { missing: "no ext4 or xfs mount for temporary files, and a loop mount needs root" };
    return this.loopExt4();
  }

  /** A temporary directory on an ext4 or xfs mount that is already there (the temporary directory's, /tmp, /var/tmp or the working directory's). */
  private blockTempDir(mounts: readonly MountEntry[]): string | undefined {
    for (const cand of [process.env["TMPDIR"], tmpdir(), "/tmp", "/var/tmp", this.cwd]) {
      if (cand === undefined || cand === "" || !existsSync(cand)) continue;
      const m = mountOf(cand, mounts);
      if (m !== undefined && (m.type === "ext4" || m.type === "xfs")) return this.tempIn(cand);
    }
    return undefined;
  }

  /** A 64 MiB ext4 image, loop-mounted on a temporary directory (root). */
  private loopExt4(): string | { missing: string } {
    const dir = mkdtempSync(join(tmpdir(), "pinlab-ext4-"));
    this.made.push(dir);
    const image = `${dir}.img`;
    this.made.push(image);
    const why = run("truncate", ["-s", "64M", image]) ?? run("mkfs.ext4", ["-q", "-F", image]) ?? run("mount", ["-o", "loop", image, dir]);
    if (why !== undefined) return { missing: `could not loop-mount an ext4 image: ${why}` };
    this.mounted.push(dir);
    return dir;
  }

  /** Create the scenario's file `name` of kind `kind` and `size` bytes (sparse: it reads zeros); remembers it. */
  create(name: string, kind: FileKind, size: number): HostFile {
    const dir = this.dirFor(kind);
    if (typeof dir !== "string") {
      this.files.set(name, dir);
      return dir;
    }
    const path = join(dir, name.replace(/[^A-Za-z0-9_.-]/g, "_"));
    const fsType = mountOf(dir, this.mounts())?.type ?? kind;
    try {
      const fd = openSync(path, "w+");
      try {
        // hugetlbfs sizes must be multiples of the huge page size: grown on mmap instead.
        if (kind !== "hugetlbfs") ftruncateSync(fd, size);
      } finally {
        closeSync(fd);
      }
    } catch (e) {
      const missing = { missing: `could not create ${path}: ${(e as Error).message}` };
      this.files.set(name, missing);
      return missing;
    }
    const file = { path, fsType };
    this.files.set(name, file);
    return file;
  }

  /** A directory for a swap file: on an ext4 or xfs mount already there (not a loop mount pinlab made), or undefined. */
  swapDir(): string | undefined {
    return this.blockTempDir(this.mounts());
  }

  /** Where the scenario's file `name` is, or why it is not on this host. */
  get(name: string): HostFile {
    return this.files.get(name) ?? { missing: `file "${name}" is not declared` };
  }

  /** Every created file's path, by scenario name. */
  paths(): Map<string, string> {
    const out = new Map<string, string>();
    for (const [name, f] of this.files) if ("path" in f) out.set(name, f.path);
    return out;
  }

  /** Unmount what was mounted and remove what was made; returns the problems (never throws). */
  cleanUp(): string[] {
    const problems: string[] = [];
    for (const dir of this.mounted.splice(0).reverse()) {
      const why = run("umount", [dir]) ?? undefined;
      if (why !== undefined) problems.push(why);
    }
    for (const p of this.made.splice(0).reverse()) {
      try {
        rmSync(p, { recursive: true, force: true });
      } catch (e) {
        problems.push(`could not remove ${p}: ${(e as Error).message}`);
      }
    }
    return problems;
  }
}
