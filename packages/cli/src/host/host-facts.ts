/**
 * What `pinlab host` knows about the machine it runs on (issue 20): the running kernel's release
 * (`uname -r`), whether it runs as root, the C compiler that builds the agent, and the kernel era
 * of the model nearest the host's kernel (the newest era not newer than it).
 * @module
 */
import { spawnSync } from "node:child_process";
import { release } from "node:os";
import { KERNEL_ERAS } from "@pinlab/core";

/** The host as the report's `host` object shows it. */
export interface HostFacts {
  /** The kernel release, `uname -r` (e.g. `6.18.44-1-amd64`). */
  readonly kernel: string;
  /** True when running as root (uid 0): PFNs, kpageflags and exact pin deltas need it. */
  readonly root: boolean;
  /** The C compiler's first `--version` line, or why there is none. */
  readonly compiler: string;
}

/** `major.minor` of a kernel release string or an era id (`6.18.44-1` -> [6, 18], `v5.9-rc4` -> [5, 9]); undefined when it has none. */
export function kernelVersion(text: string): [number, number] | undefined {
  const m = /^v?(\d+)\.(\d+)/.exec(text.trim());
  return m === null ? undefined : [Number(m[1]), Number(m[2])];
}

/**
 * The model's kernel era nearest a host kernel release: the newest era whose version is not newer
 * than the host's (an `-rc` era counts as before its release), else the oldest era. A release
 * without a version (not Linux) gets the newest era.
 */
export function nearestEra(hostRelease: string): string {
  const host = kernelVersion(hostRelease);
  const ids = KERNEL_ERAS.map((e) => e.id);
  if (host === undefined) return ids[ids.length - 1]!;
  let best: string | undefined;
  for (const id of ids) {
    const v = kernelVersion(id);
    if (v === undefined || id.includes("-rc")) continue;
    if (v[0] < host[0] || (v[0] === host[0] && v[1] <= host[1])) best = id;
  }
  return best ?? ids[0]!;
}

/** The compiler's first `--version` line (`cc (Debian 14.2.0-19) 14.2.0`), or why it cannot be run. */
export function compilerVersion(compiler: string): string {
  const run = spawnSync(compiler, ["--version"], { encoding: "utf8" });
  if (run.error !== undefined) return `none ("${compiler}": ${(run.error as NodeJS.ErrnoException).code ?? run.error.message})`;
  return run.stdout.split("\n")[0]?.trim() || compiler;
}

/** The facts of this machine; `compiler` is the agent's compiler command (`$CC`, else `cc`). */
export function hostFacts(compiler: string): HostFacts {
  return { kernel: release(), root: process.getuid?.() === 0, compiler: compilerVersion(compiler) };
}
