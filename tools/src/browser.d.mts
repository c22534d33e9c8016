/**
 * Types of browser.mjs: which chromium the browser tests launch (CHROMIUM_PATH, then the
 * system's, then the build inside the npm package @sparticuz/chromium).
 */
import type { Browser } from "playwright-core";

/** Where the system's chromium may be, in the order they are tried. */
export declare const SYSTEM_CHROMIUM_PATHS: readonly string[];
/** The arguments every browser test passes. */
export declare const CHROMIUM_ARGS: readonly string[];
/** Where a browser came from. */
export type ChromiumSource = "env" | "system" | "bundled";
/** The resolved browser. */
export interface ResolvedChromium {
  /** Path of the binary. */
  readonly executablePath: string;
  /** Which rule found it. */
  readonly source: ChromiumSource;
}
/** What {@link resolveChromium} reads, replaceable for tests. */
export interface ResolveDeps {
  /** The environment (CHROMIUM_PATH). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Whether a file exists. */
  readonly exists?: (path: string) => boolean;
  /** System paths to try. */
  readonly systemPaths?: readonly string[];
  /** Extract the bundled build and return its path. */
  readonly extractBundled?: () => Promise<string>;
}
/** The installed @sparticuz/chromium version, or undefined. */
export declare function bundledChromiumVersion(): string | undefined;
/** Extract the bundled chromium into `cacheRoot/<version>/` once and return the binary's path. */
export declare function extractBundledChromium(cacheRoot?: string): Promise<string>;
/** Resolve the chromium to launch. */
export declare function resolveChromium(deps?: ResolveDeps): Promise<ResolvedChromium>;
/** This process's environment with a fixed locale (LANG=en_US.UTF-8, no LC_ALL), for the browser. */
export declare function browserEnv(env?: Readonly<Record<string, string | undefined>>): Record<string, string | undefined>;
/** Launch the resolved chromium headless through playwright-core. */
export declare function launchChromium(options?: { readonly timeout?: number }): Promise<Browser>;
