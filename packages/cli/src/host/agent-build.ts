/**
 * Building the host agent (issue 20): `host-agent/agent.c` is compiled on first use with the
 * system C compiler (`$CC`, else `cc`) into a per-user cache,
 * `${XDG_CACHE_HOME:-~/.cache}/pinlab/host-agent-<first 16 hex digits of sha256(source)>`, and
 * reused while the source is unchanged. No native addon, no prebuilt binary.
 * @module
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The agent's C source in the cli package (`src/host` and `dist/host` are both two levels below it). */
export const AGENT_SOURCE = fileURLToPath(new URL("../../host-agent/agent.c", import.meta.url));

/** The flags the agent is compiled with: warnings are errors. */
export const AGENT_CFLAGS: readonly string[] = ["-std=c99", "-Wall", "-Wextra", "-Werror", "-O2"];

/** Where to build and which compiler to use; every field defaults from the environment. */
export interface AgentBuildOptions {
  /** The C source (default {@link AGENT_SOURCE}). */
  source?: string;
  /** The compiler (default `$CC`, else `cc`). */
  compiler?: string;
  /** The cache directory (default `${XDG_CACHE_HOME:-~/.cache}/pinlab`). */
  cacheDir?: string;
}

/** A built agent: the binary, and whether this call compiled it or found it in the cache. */
export interface BuiltAgent {
  /** The executable's path. */
  path: string;
  /** The compiler used (or that would have been used, when cached). */
  compiler: string;
  /** True when the binary was already in the cache. */
  cached: boolean;
}

/** The per-user cache directory: `${XDG_CACHE_HOME:-~/.cache}/pinlab`. */
export function agentCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env["XDG_CACHE_HOME"];
  return join(xdg !== undefined && xdg !== "" ? xdg : join(homedir(), ".cache"), "pinlab");
}

/** The cache file name for `source`: `host-agent-` and the first 16 hex digits of its sha256. */
export function agentBinaryName(source: string | Buffer): string {
  return `host-agent-${createHash("sha256").update(source).digest("hex").slice(0, 16)}`;
}

/** Compile the agent unless the cache has it; throws an Error naming the compiler and its first error line. */
export function buildAgent(options: AgentBuildOptions = {}): BuiltAgent {
  const source = options.source ?? AGENT_SOURCE;
  const ccEnv = process.env["CC"];
  const compiler = options.compiler ?? (ccEnv !== undefined && ccEnv !== "" ? ccEnv : "cc");
  const dir = options.cacheDir ?? agentCacheDir();
  const path = join(dir, agentBinaryName(readFileSync(source)));
  if (existsSync(path)) return { path, compiler, cached: true };
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (e) {
    throw new Error(`cannot build the host agent: its cache directory ${dir} cannot be made (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); set XDG_CACHE_HOME to a writable directory`, { cause: e });
  }
  // Compile to a private name and rename, so a concurrent build never runs a half-written binary.
  const tmp = `${path}.${process.pid}.tmp`;
  const run = spawnSync(compiler, [...AGENT_CFLAGS, "-o", tmp, source], { encoding: "utf8" });
  if (run.error !== undefined) {
    const missing = (run.error as NodeJS.ErrnoException).code === "ENOENT";
    throw new Error(
      missing
        ? `cannot build the host agent: C compiler "${compiler}" not found (install one, or set CC)`
        : `cannot build the host agent: running "${compiler}" failed: ${run.error.message}`,
    );
  }
  if (run.status !== 0) {
    rmSync(tmp, { force: true });
    const firstError = run.stderr.split("\n").find((l) => /error/i.test(l)) ?? run.stderr.split("\n").find((l) => l.trim() !== "") ?? "";
    throw new Error(`cannot build the host agent: "${compiler}" failed (status ${run.status}) on ${source}: ${firstError.trim()}`);
  }
  chmodSync(tmp, 0o700);
  renameSync(tmp, path);
  return { path, compiler, cached: false };
}
