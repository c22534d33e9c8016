// Which chromium the browser tests launch: one module for every browser test of the workspace
// (apps/playground/e2e, packages/bench/e2e, packages/cli's report test), so `npm install && npm test`
// works on a machine with no system browser.
//
// Order:
//   1. CHROMIUM_PATH, when set: a path to a chromium binary, or the word `bundled` for 3.
//   2. The system's chromium (Debian's /usr/bin/chromium, or chromium-browser), when present:
//      the distribution's build, kept up to date by it, and no extraction step.
//   3. The build shipped inside the npm package @sparticuz/chromium (brotli-compressed in its
//      bin/ folder, so `npm install` brings it from the npm registry and nothing else is
//      downloaded), extracted once per package version into node_modules/.cache/pinlab-chromium/.
//
// Extraction is safe across processes: each extracts into its own staging folder and renames it
// into place; the loser of a race removes its copy and uses the winner's.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);

/** Where the system's chromium may be, in the order they are tried. */
export const SYSTEM_CHROMIUM_PATHS = Object.freeze(["/usr/bin/chromium", "/usr/bin/chromium-browser"]);

/** The arguments every browser test passes: no sandbox (root in CI), no GPU, nothing fetched in the background. */
export const CHROMIUM_ARGS = Object.freeze(["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
  "--disable-sync", "--no-first-run", "--disable-quic"]);

/** The workspace root (tools/src/ is two levels below it). */
const WORKSPACE = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** The version of the installed @sparticuz/chromium, or undefined when it is not installed. */
export function bundledChromiumVersion() {
  let dir;
  try {
    // The package does not export its package.json: walk up from its entry point.
    dir = dirname(require.resolve("@sparticuz/chromium"));
  } catch {
    return undefined;
  }
  for (; dirname(dir) !== dir; dir = dirname(dir)) {
    const file = join(dir, "package.json");
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, "utf8"));
    if (pkg.name === "@sparticuz/chromium") return pkg.version;
  }
  return undefined;
}

/**
 * Extract the chromium of @sparticuz/chromium into `cacheRoot/<version>/` (once) and return the
 * binary's path. The package extracts into `os.tmpdir()`, so TMPDIR points at a private staging
 * folder while it runs.
 */
export function extractBundledChromium(cacheRoot = join(WORKSPACE, "node_modules", ".cache", "pinlab-chromium")) {
  // One extraction per process and folder, however many tests ask at once.
  let pending = extractions.get(cacheRoot);
  if (pending === undefined) {
    pending = extractInto(cacheRoot);
    extractions.set(cacheRoot, pending);
    pending.catch(() => extractions.delete(cacheRoot));
  }
  return pending;
}

/** Extractions under way or done in this process, by cache folder. */
const extractions = new Map();

async function extractInto(cacheRoot) {
  const version = bundledChromiumVersion();
  if (version === undefined) throw new Error("no chromium: neither CHROMIUM_PATH, nor a system chromium, nor the npm package @sparticuz/chromium (run npm install)");
  const final = join(cacheRoot, version);
  const binary = join(final, "chromium");
  if (existsSync(binary)) return binary;
  mkdirSync(cacheRoot, { recursive: true });
  const staging = mkdtempSync(join(cacheRoot, `.staging-${version}-`));
  const saved = process.env.TMPDIR;
  try {
    process.env.TMPDIR = staging;
    const { default: Chromium } = await import("@sparticuz/chromium");
    const extracted = await Chromium.executablePath();
    if (extracted !== join(staging, "chromium")) throw new Error(`@sparticuz/chromium extracted to ${extracted}, not into ${staging}`);
  } finally {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
  }
  try {
    renameSync(staging, final);
  } catch (e) {
    // Another process renamed its copy first: use that one.
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(binary)) throw e;
  }
  return binary;
}

/**
 * Resolve the chromium to launch. `deps` replaces the environment, the file test, the system
 * paths and the extraction (for tests).
 * @returns {Promise<{ executablePath: string, source: "env" | "system" | "bundled" }>}
 */
export async function resolveChromium(deps = {}) {
  const env = deps.env ?? process.env;
  const exists = deps.exists ?? existsSync;
  const systemPaths = deps.systemPaths ?? SYSTEM_CHROMIUM_PATHS;
  const extract = deps.extractBundled ?? extractBundledChromium;
  const wanted = env.CHROMIUM_PATH;
  if (wanted !== undefined && wanted !== "" && wanted !== "bundled") {
    if (!exists(wanted)) throw new Error(`CHROMIUM_PATH=${wanted}: no such file (unset it to use the system's or the bundled chromium, or set it to "bundled")`);
    return { executablePath: wanted, source: "env" };
  }
  if (wanted !== "bundled") {
    const system = systemPaths.find((p) => exists(p));
    if (system !== undefined) return { executablePath: system, source: "system" };
  }
  return { executablePath: await extract(), source: "bundled" };
}

/**
 * The environment the browser runs in: this process's, with a fixed locale. Under LANG=C.UTF-8
 * (Debian's default in containers) chromium derives the locale `en-US@posix`, which the page's
 * `Intl` rejects (`RangeError: Invalid language tag`), and the tests would depend on the
 * machine's locale besides.
 */
export function browserEnv(env = process.env) {
  const out = { ...env, LANG: "en_US.UTF-8" };
  delete out.LC_ALL;
  delete out.LC_MESSAGES;
  return out;
}

/**
 * Launch the resolved chromium headless with {@link CHROMIUM_ARGS} and {@link browserEnv}
 * through playwright-core.
 * @param {{ timeout?: number }} [options]
 */
export async function launchChromium(options = {}) {
  const { chromium } = await import("playwright-core");
  const { executablePath } = await resolveChromium();
  return chromium.launch({ executablePath, headless: true, args: [...CHROMIUM_ARGS], env: browserEnv(), timeout: options.timeout ?? 30_000 });
}
