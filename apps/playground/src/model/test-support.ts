/** Shared by the model tests: one registry, library scenarios loaded by id. */
import { loadScenario, type LoadedScenario } from "@pinlab/core";
import { libraryEntry } from "./library.js";
import { createRegistry, type Registry } from "./registry.js";

/** A registry shared by the tests of a file. */
export const registry: Registry = createRegistry();

/** Load library scenario `id`. */
export function libraryScenario(id: string): LoadedScenario {
  const e = libraryEntry(id);
  if (e === undefined) throw new Error(`no library scenario ${id}`);
  return loadScenario(e.text, e.file, registry.plugins);
}
