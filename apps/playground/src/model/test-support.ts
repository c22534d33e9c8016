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

/**
 * A scenario with every kind of large folio, by position: a THP PMD-mapped by a write (3), the
 * huge zero folio mapped by a read (4), both PMD-mapped in a child too (5), the child's PMD of the
 * THP split by unmapping one page of it (6), a hugetlbfs folio mapped in two processes (10), and a
 * 4 KiB page beside them (11).
 */
export const LARGE_FOLIOS = `name: large-folios
machine: { memory: 64MiB }
files: [ { name: huge, fs: hugetlbfs, size: 2MiB } ]
processes: [p1, p2]
steps:
  - { op: mmap, proc: p1, as: a, length: 4MiB, prot: [read, write], flags: [private, anonymous] }
  - { op: madvise, proc: p1, addr: a, length: 4MiB, advice: hugepage }
  - { op: touch, proc: p1, addr: a+2MiB, length: 4KiB, write: true }
  - { op: touch, proc: p1, addr: a, length: 4KiB }
  - { op: fork, proc: p1, child: c1 }
  - { op: munmap, proc: c1, addr: a+2MiB, length: 4KiB }
  - { op: mmap, proc: p1, as: s1, length: 2MiB, prot: [read, write], flags: [shared], file: huge }
  - { op: mmap, proc: p2, as: s2, length: 2MiB, prot: [read, write], flags: [shared], file: huge }
  - { op: touch, proc: p1, addr: s1, length: 4KiB }
  - { op: touch, proc: p2, addr: s2, length: 4KiB }
  - { op: mmap, proc: p2, as: small, length: 4KiB, prot: [read, write], flags: [private, anonymous, populate] }
`;

/** {@link LARGE_FOLIOS}, loaded. */
export function largeFolioScenario(): LoadedScenario {
  return loadScenario(LARGE_FOLIOS, "large-folios.yaml", registry.plugins);
}

/**
 * (issue 21) explore-dio-writeback as `pinlab explore` writes its finding under legacy-get: the
 * header comment, the block's `order` fixed (writeback and reclaim first, then the DMA), `policy`
 * set. `header` replaces the first header line's text after `# ` (for the odd-header cases).
 */
export function dioFindingText(header = "pinlab explore finding: dma_after_clean undetected under legacy-get @v5.3"): string {
  const e = libraryEntry("explore-dio-writeback");
  if (e === undefined) throw new Error("no library scenario explore-dio-writeback");
  const body = e.text
    .replace(/^policy: .*$/m, "policy: legacy-get")
    .replace(/^( {2}- \{ op: settle \})$/m, "    order: [ wb, wb, dio, dio ]\n$1");
  return [`# ${header}`, "# order (0 preemptions): [wb, wb, dio, dio]",
    "# explored from scenarios/explore-dio-writeback.yaml; replay: pinlab run explore-findings/x.yaml", "", body].join("\n");
}
