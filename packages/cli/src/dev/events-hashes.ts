/**
 * The behaviour fingerprint of the model: the `eventsHash` of every library scenario under every
 * registered policy. A change that should not alter behaviour (a refactor, a speed-up) must
 * leave every hash as it was; one that should (a model fix) changes exactly the hashes of the
 * runs it touches, and the committed fingerprint (`library-events-hashes.json`) is updated with
 * it, so the diff shows which scenario x policy moved. `npm run hashes` checks or updates it.
 * @module
 */
import { readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import type { DependencyContainer } from "tsyringe";
import { loadScenario, pluginView, runScenario } from "@pinlab/core";
import { builtinContainer } from "../plugins/load-plugins.js";
import { pluginLibraries, pluginLibraryContainer } from "./plugin-libraries.js";

/** `"<file> <policy>"` -> eventsHash, keys sorted; a plugin library's files are `"<library>/<file>"`. */
export type EventsHashes = Readonly<Record<string, string>>;

/** The scenario files of a library folder (not its subfolders, so not `invalid/` nor the plugin libraries), sorted. */
export function libraryFiles(dir: string): string[] {
  return readdirSync(dir).filter((f) => /\.(ya?ml|json)$/.test(f)).sort();
}

/** Run each of `files` (key -> path) under every policy of `container` into `out`. */
function hashRuns(out: Record<string, string>, container: DependencyContainer, files: readonly [string, string][], policyOptions: Readonly<Record<string, Readonly<Record<string, unknown>>>>): void {
  const plugins = pluginView(container);
  for (const [key, path] of files) {
    const loaded = loadScenario(readFileSync(path, "utf8"), `scenarios/${key}`, plugins);
    const report = runScenario(loaded, { container, policy: "all", policyOptions });
    for (const r of report.results) out[`${key} ${r.policy}`] = r.error !== undefined ? `error: ${r.error}` : r.eventsHash;
  }
}

/**
 * Run every scenario of `dir` under every built-in policy, and every scenario of its plugin
 * libraries (`dir/NAME/` with a `pinlab.config.yaml`) under every policy with their plugins
 * loaded, and collect the hashes.
 */
export async function libraryEventsHashes(dir: string): Promise<EventsHashes> {
  const out: Record<string, string> = {};
  hashRuns(out, builtinContainer(), libraryFiles(dir).map((f) => [f, join(dir, f)]), {});
  for (const lib of pluginLibraries(dir)) {
    hashRuns(out, await pluginLibraryContainer(lib), lib.files.map((f) => [`${lib.name}/${basename(f)}`, f]), lib.config.policyOptions);
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** What changed between a saved fingerprint and the current one. */
export interface HashDiff {
  /** Runs whose hash differs: key, before, after. */
  readonly changed: readonly { readonly key: string; readonly before: string; readonly after: string }[];
  /** Runs only in the current fingerprint. */
  readonly added: readonly string[];
  /** Runs only in the saved one. */
  readonly removed: readonly string[];
}

/** Compare two fingerprints. */
export function diffHashes(before: EventsHashes, after: EventsHashes): HashDiff {
  const changed = Object.keys(after).filter((k) => k in before && before[k] !== after[k]).map((key) => ({ key, before: before[key], after: after[key] }));
  return { changed, added: Object.keys(after).filter((k) => !(k in before)), removed: Object.keys(before).filter((k) => !(k in after)) };
}

/** A diff in lines (empty when the fingerprints agree). */
export function describeDiff(d: HashDiff): string[] {
  return [
    ...d.changed.map((c) => `changed  ${c.key}: ${c.before.slice(0, 12)} -> ${c.after.slice(0, 12)}`),
    ...d.added.map((k) => `added    ${k}`),
    ...d.removed.map((k) => `removed  ${k}`),
  ];
}
