/**
 * The scenario library (`scenarios/*.yaml` at the repository root), bundled into the app as text
 * by vite at build time.
 */

/** A library scenario. */
export interface LibraryEntry {
  /** File name without `.yaml`, e.g. `rdma-mr-fork`. */
  readonly id: string;
  /** The file name. */
  readonly file: string;
  /** Its `description:` line, when it has one. */
  readonly description: string;
  /** The YAML text. */
  readonly text: string;
}

const FILES = import.meta.glob<string>("../../../../scenarios/*.yaml", { query: "?raw", import: "default", eager: true });

/**
 * (2.0) True for a scenario the playground can record and draw: not one whose machine has a pool
 * of 1 GiB hugetlb pages (`hugetlb_1g`), a gigabyte machine where every step would record the
 * rows of a million frames. The CLI runs those; the editor still validates such a text.
 */
export function drawable(text: string): boolean {
  return !/\bhugetlb_1g:\s*[1-9]/.test(text);
}

/** Every library scenario the playground can draw ({@link drawable}), sorted by id. */
export const LIBRARY: readonly LibraryEntry[] = Object.entries(FILES)
  .filter(([, text]) => drawable(text))
  .map(([path, text]) => {
    const file = path.slice(path.lastIndexOf("/") + 1);
    return { id: file.replace(/\.ya?ml$/, ""), file, description: topLevelString(text, "description"), text };
  })
  .sort((a, b) => a.id.localeCompare(b.id));

/** The library scenario with id `id`, if any. */
export function libraryEntry(id: string): LibraryEntry | undefined {
  return LIBRARY.find((e) => e.id === id);
}

/** The id of the library scenario whose text is exactly `text`, or "" when it is none. */
export function libraryIdOf(text: string): string {
  return LIBRARY.find((e) => e.text === text)?.id ?? "";
}

/** The value of a plain top-level `key: value` line (quotes removed), or "". */
export function topLevelString(text: string, key: string): string {
  const m = new RegExp(`^${key}:[ \\t]*(.*)$`, "m").exec(text);
  if (m === null) return "";
  const v = m[1].replace(/\s+#.*$/, "").trim();
  return /^(["']).*\1$/.test(v) ? v.slice(1, -1) : v;
}
