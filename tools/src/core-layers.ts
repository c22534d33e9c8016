/**
 * The shape of `packages/core/src`, checked from source: its folders form a declared layer
 * order, each importing only folders of lower layers, and no import circle exists between its
 * files. Type-only imports and re-exports count as imports: a circle of types is still a circle
 * a reader has to hold in their head, and a type import from a higher layer still makes the
 * lower one depend on it.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import ts from "typescript";
import { isTestFile, type Violation } from "./boundaries.js";
import { sourceFiles } from "./source-files.js";

/** A layer of core: its folders (a root file such as `errno.ts` counts as a folder of its name) and why it sits there. */
export interface CoreLayer {
  /** The folders of the layer; they may not import each other. */
  readonly folders: readonly string[];
  /** What the layer is, for messages and docs. */
  readonly what: string;
}

/**
 * The layers of `packages/core/src`, bottom first. A folder may import only folders of lower
 * layers (test files excepted: a test exercises its folder through the whole stack). Where a
 * lower layer needs a higher one at run time, it declares an interface the higher one
 * implements, as the kernel does with its ops tables (`MmContext`, `MmPolicy`, `MappedFile`,
 * `MmuNotifierCalls`, `FsPolicy`...).
 */
export const CORE_LAYERS: readonly CoreLayer[] = [
  { folders: ["errno", "di"], what: "errno values and errors; the typed-token mechanism" },
  { folders: ["sim"], what: "units and the schemas of values as written, the virtual clock, the seeded random source, fault injection" },
  { folders: ["era"], what: "kernel eras: the COW, fork and GUP rules of each release from v4.8 to v6.12" },
  { folders: ["config"], what: "the validated kernel config" },
  { folders: ["memory", "events"], what: "frames, zones and allocators; the event bus" },
  { folders: ["mm"], what: "address spaces, faults, mmap, fork, rmap, the page cache; MmContext and what the mm asks of the layers above" },
  { folders: ["notifier"], what: "MMU interval notifiers and hmm_range_fault" },
  { folders: ["fs"], what: "inodes, filesystems, leases, writeback, truncate; FsContext" },
  { folders: ["migrate"], what: "migration, compaction, CMA, reclaim; MigrateContext" },
  { folders: ["policy"], what: "the PinPolicy seam" },
  { folders: ["kernel"], what: "KernelContext, the observer hooks, the Kernel class" },
  { folders: ["gup"], what: "the GUP API" },
  { folders: ["oracle", "invariants"], what: "the hazard oracle; the invariant checker" },
  { folders: ["device"], what: "the device seam: DeviceContext, typed action fields and their dispatch, the DMA engine, the driver helpers" },
  { folders: ["plugin"], what: "the plugin registry and module loader" },
  { folders: ["instance"], what: "createKernel and attachDevice: a kernel instance in its container" },
  { folders: ["scenario"], what: "the scenario engine" },
  { folders: ["testing"], what: "test helpers (@pinlab/core/testing)" },
  { folders: ["index"], what: "the package entry" },
];

/** One import between two files of core. */
export interface CoreImport {
  /** The importing file, relative to the workspace root. */
  readonly from: string;
  /** The imported file, relative to the workspace root. */
  readonly to: string;
  /** 1-based line of the import. */
  readonly line: number;
  /** The specifier as written. */
  readonly specifier: string;
}

const SOURCE = /\.(ts|tsx|mts|cts)$/;

/** The source file a relative specifier names (`./x.js` is `./x.ts`), or undefined when there is none. */
function resolveSpecifier(fromFile: string, specifier: string): string | undefined {
  const base = resolve(dirname(fromFile), specifier);
  const candidates = [base.replace(/\.(m|c)?js$/, ".$1ts"), base, `${base}.ts`, join(base, "index.ts")];
  return candidates.find((c) => SOURCE.test(c) && existsSync(c) && statSync(c).isFile());
}

/**
 * Every relative import between the source files under `srcDir` (`import`, `import type`,
 * `export ... from`, dynamic `import()`), with its line and specifier. Paths are relative to `root`.
 */
export function coreImports(root: string, srcDir: string): { files: string[]; imports: CoreImport[] } {
  const abs = sourceFiles(srcDir, SOURCE);
  const rel = (p: string) => relative(root, p).split(sep).join("/");
  const imports: CoreImport[] = [];
  for (const file of abs) {
    const text = readFileSync(file, "utf8");
    for (const imp of ts.preProcessFile(text, true, true).importedFiles) {
      const specifier = imp.fileName;
      if (!specifier.startsWith(".")) continue;
      const target = resolveSpecifier(file, specifier);
      if (target === undefined) continue;
      imports.push({ from: rel(file), to: rel(target), line: text.slice(0, imp.pos).split("\n").length, specifier });
    }
  }
  return { files: abs.map(rel), imports };
}

/** The folder of a file of core for the layer order: its first directory under `src`, or a root file's name. */
export function coreFolder(srcRel: string): string {
  const i = srcRel.indexOf("/");
  return i >= 0 ? srcRel.slice(0, i) : srcRel.replace(/\.[^.]+$/, "");
}

/**
 * Check that every import between folders of `packages/core/src` goes down the declared layer
 * order (type-only imports included; test files may import anything). Each violation names the
 * import: file, line and specifier.
 */
export function checkCoreLayers(root: string, layers: readonly CoreLayer[] = CORE_LAYERS, srcDir = "packages/core/src"): Violation[] {
  const src = resolve(root, srcDir);
  const prefix = `${relative(root, src).split(sep).join("/")}/`;
  const layerOf = new Map<string, number>();
  layers.forEach((l, i) => l.folders.forEach((f) => layerOf.set(f, i)));
  const describe = (folder: string) => `${folder} (layer ${layerOf.get(folder)! + 1}: ${layers[layerOf.get(folder)!].what})`;
  const { files, imports } = coreImports(root, src);
  const out: Violation[] = [];
  for (const file of files) {
    const folder = coreFolder(file.slice(prefix.length));
    if (!layerOf.has(folder)) {
      out.push({ file, line: 1, specifier: "", message: `${file}:1 is in core folder "${folder}", which the layer order does not declare (tools/src/core-layers.ts)` });
    }
  }
  for (const imp of imports) {
    if (isTestFile(imp.from)) continue;
    const a = coreFolder(imp.from.slice(prefix.length));
    const b = coreFolder(imp.to.slice(prefix.length));
    if (a === b) continue;
    const la = layerOf.get(a);
    const lb = layerOf.get(b);
    if (la === undefined || lb === undefined) continue;
    if (lb < la) continue;
    const why = lb === la ? "folders of one layer are independent" : "a layer imports only the layers below it";
    out.push({
      file: imp.from, line: imp.line, specifier: imp.specifier,
      message: `${imp.from}:${imp.line} imports "${imp.specifier}": ${describe(a)} may not import ${describe(b)} (${why}; declare an interface in ${a} that ${b} implements)`,
    });
  }
  return out;
}

/** The strongly connected components of a directed graph with more than one node (or a node importing itself), Tarjan's algorithm. */
function stronglyConnected(nodes: readonly string[], edges: ReadonlyMap<string, readonly string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, idx.get(w)!));
      }
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1 || (edges.get(v) ?? []).includes(v)) out.push(comp.sort());
    }
  };
  for (const v of nodes) if (!idx.has(v)) visit(v);
  return out;
}

/** One circle through a component, starting at its first file: the imports that close it, in order. */
function circleIn(comp: readonly string[], byFrom: ReadonlyMap<string, readonly CoreImport[]>): CoreImport[] {
  const inComp = new Set(comp);
  const start = comp[0];
  // Breadth-first from the start to find the shortest way back to it.
  const prev = new Map<string, CoreImport>();
  const queue = [start];
  const seen = new Set<string>();
  while (queue.length > 0) {
    const v = queue.shift()!;
    for (const imp of byFrom.get(v) ?? []) {
      if (!inComp.has(imp.to)) continue;
      if (imp.to === start) {
        const path = [imp];
        let at = v;
        while (at !== start) {
          const p = prev.get(at)!;
          path.unshift(p);
          at = p.from;
        }
        return path;
      }
      if (seen.has(imp.to)) continue;
      seen.add(imp.to);
      prev.set(imp.to, imp);
      queue.push(imp.to);
    }
  }
  return [];
}

/**
 * Find every import circle among the source files under `srcDir` (type-only imports and
 * re-exports included): one violation per strongly connected component, naming its files and
 * one circle through them import by import (file, line, specifier).
 */
export function checkImportCycles(root: string, srcDir = "packages/core/src"): Violation[] {
  const { files, imports } = coreImports(root, resolve(root, srcDir));
  const edges = new Map<string, string[]>();
  const byFrom = new Map<string, CoreImport[]>();
  for (const imp of imports) {
    if (!edges.has(imp.from)) edges.set(imp.from, []);
    edges.get(imp.from)!.push(imp.to);
    if (!byFrom.has(imp.from)) byFrom.set(imp.from, []);
    byFrom.get(imp.from)!.push(imp);
  }
  return stronglyConnected(files, edges).map((comp) => {
    const circle = circleIn(comp, byFrom);
    const first = circle[0];
    const steps = circle.map((imp) => `${imp.from}:${imp.line} imports "${imp.specifier}"`).join(" -> ");
    return {
      file: first?.from ?? comp[0], line: first?.line ?? 1, specifier: first?.specifier ?? "",
      message: `import circle of ${comp.length} file(s) (${comp.join(", ")}): ${steps}`,
    };
  });
}
