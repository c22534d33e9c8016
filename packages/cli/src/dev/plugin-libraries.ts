/**
 * Library scenarios that need a plugin: a subfolder of `scenarios/` holding a
 * `pinlab.config.yaml` is a plugin library. Its scenarios run with that config's plugins (and
 * policy options), exactly as `pinlab run --config DIR/pinlab.config.yaml DIR/` runs them, so the
 * library can show what an out-of-tree plugin such as `docs/examples/fixed-buffer-ring` does while
 * the top of `scenarios/` keeps to the built-in plugins (`pinlab check scenarios/`, the playground,
 * the fault sweep). A subfolder without a config (`invalid/`) is not one.
 * @module
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { DependencyContainer } from "tsyringe";
import { CONFIG_FILE_NAMES, loadPinlabConfig, type PinlabConfig } from "../config/pinlab-config.js";
import { pluginContainer } from "../plugins/load-plugins.js";
import { expandScenarioArgs } from "../scenario-files.js";

/** One plugin library: a subfolder of the scenario library with its config. */
export interface PluginLibrary {
  /** The subfolder's name (`fixed-buffer-ring`): the prefix of its files in reports and fingerprints. */
  readonly name: string;
  /** Its absolute path. */
  readonly dir: string;
  /** Its scenario files, absolute, sorted (the config left out). */
  readonly files: readonly string[];
  /** Its config: the plugins to load and the policy options. */
  readonly config: PinlabConfig;
}

/** The plugin libraries under the scenario library `dir`, by name. */
export function pluginLibraries(dir: string): PluginLibrary[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => join(dir, d.name))
    .flatMap((sub) => {
      const config = CONFIG_FILE_NAMES.map((n) => join(sub, n)).find((f) => existsSync(f));
      if (config === undefined) return [];
      const name = sub.slice(dir.length + 1);
      return [{ name, dir: sub, files: expandScenarioArgs([sub], dir), config: loadPinlabConfig(sub, config) }];
    })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The built-in plugins plus those the library's config names. */
export function pluginLibraryContainer(lib: PluginLibrary): Promise<DependencyContainer> {
  return pluginContainer(lib.config.plugins, lib.dir);
}
