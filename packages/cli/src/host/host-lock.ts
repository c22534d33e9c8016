/**
 * One `pinlab host` run at a time on a machine (issue 20): runs share the machine's pin counters
 * (global deltas), its hugetlb pools, THP settings and swap, so a second run waits for the first.
 * The lock is a file holding the holder's pid, made with O_EXCL; a lock whose holder is gone is
 * taken over.
 * @module
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The lock file: `pinlab-host.lock` in the temporary directory. */
export function hostLockPath(): string {
  return join(tmpdir(), "pinlab-host.lock");
}

function holder(path: string): number | undefined {
  try {
    const pid = Number(readFileSync(path, "utf8").trim());
    if (!Number.isInteger(pid) || pid <= 0) return undefined;
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

/**
 * Take the lock, waiting while another live run holds it (`onWait` is told its pid once); returns
 * the release function. Throws after `timeoutMs` (default 10 minutes).
 */
export async function takeHostLock(onWait: (pid: number) => void, timeoutMs = 600_000, path = hostLockPath()): Promise<() => void> {
  const deadline = Date.now() + timeoutMs;
  let told = false;
  for (;;) {
    try {
      writeFileSync(path, `${process.pid}\n`, { flag: "wx" });
      return () => {
        if (holder(path) === process.pid) rmSync(path, { force: true });
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
    const pid = holder(path);
    if (pid === undefined || pid === process.pid) {
      // Its holder is gone (or it is ours, left by a crash of this process): take it over.
      try {
        rmSync(path, { force: true });
      } catch (e) {
        throw new Error(`${path} is left by a pinlab host run that is gone, and cannot be removed (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): remove it as its owner`, { cause: e });
      }
      continue;
    }
    if (!told) {
      onWait(pid);
      told = true;
    }
    if (Date.now() > deadline) throw new Error(`another pinlab host run (pid ${pid}) has held ${path} for ${Math.round(timeoutMs / 1000)} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
