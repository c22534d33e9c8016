/**
 * Typechecking the TypeScript samples of the guides with the compiler API, against the built
 * packages (`@pinlab/*` resolve through the workspace to each package's `dist/*.d.ts`). Every
 * ```ts block is a module of its own, checked with the workspace's compiler options; a block
 * marked ```ts partial is skipped. The example plugins (`// @ts-check` JavaScript with JSDoc
 * types) go into the same program, so one compiler pass covers everything.
 * @module
 */
import { join, relative, resolve } from "node:path";
import ts from "typescript";
import type { CodeBlock } from "./markdown.js";

/** One compiler diagnostic in a sample, placed at its line in the markdown file. */
export interface SampleProblem {
  /** `file:line` in the markdown. */
  readonly where: string;
  /** The compiler's message. */
  readonly message: string;
}

/** True for blocks the typecheck covers: ```ts / ```typescript, not marked `partial`. */
export function isCheckedTs(b: CodeBlock): boolean {
  return (b.lang === "ts" || b.lang === "typescript") && b.attrs.partial !== true;
}

/** The workspace's compiler options (tsconfig.base.json), for samples: no emit, Node types. */
function compilerOptions(workspaceRoot: string): ts.CompilerOptions {
  const path = join(workspaceRoot, "tsconfig.base.json");
  const read = ts.readConfigFile(path, ts.sys.readFile);
  if (read.error !== undefined) throw new Error(ts.flattenDiagnosticMessageText(read.error.messageText, "\n"));
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, workspaceRoot);
  return {
    ...parsed.options,
    noEmit: true,
    declaration: false,
    declarationMap: false,
    sourceMap: false,
    // Samples run in Node: its types, and no DOM (the DOM lib would double the parse time).
    types: ["node"],
    lib: ["lib.es2022.d.ts"],
    moduleDetection: ts.ModuleDetectionKind.Force,
    // Samples are read by people: an unused import is noise, so flag it.
    noUnusedLocals: true,
  };
}

/**
 * Typecheck `blocks` as modules placed in `sampleDir` (which must sit under a package.json with
 * `"type": "module"` so NodeNext treats them as ES modules, and from which `@pinlab/*` resolve),
 * together with the JavaScript files `jsFiles` (checked as `// @ts-check` files). Returns every
 * problem, each placed at its markdown line (or its file and line for JavaScript).
 */
export function typecheckSamples(blocks: readonly CodeBlock[], sampleDir: string, workspaceRoot: string, jsFiles: readonly string[] = []): SampleProblem[] {
  const checked = blocks.filter(isCheckedTs);
  if (checked.length === 0 && jsFiles.length === 0) return [];
  const options = { ...compilerOptions(workspaceRoot), allowJs: true, checkJs: true };
  const virtual = new Map<string, CodeBlock>();
  checked.forEach((b, i) => virtual.set(resolve(sampleDir, `sample-${i}.ts`), b));
  const host = ts.createCompilerHost(options, true);
  const { fileExists, readFile, getSourceFile } = host;
  host.fileExists = (f) => virtual.has(resolve(f)) || fileExists.call(host, f);
  host.readFile = (f) => virtual.get(resolve(f))?.text ?? readFile.call(host, f);
  host.getSourceFile = (f, lang, onError, create) => {
    const b = virtual.get(resolve(f));
    return b !== undefined ? ts.createSourceFile(f, b.text, lang, true) : getSourceFile.call(host, f, lang, onError, create);
  };
  host.directoryExists = (d) => resolve(d) === resolve(sampleDir) || ts.sys.directoryExists(d);
  const program = ts.createProgram({ rootNames: [...virtual.keys(), ...jsFiles.map((f) => resolve(workspaceRoot, f))], options, host });
  const out: SampleProblem[] = [];
  for (const d of ts.getPreEmitDiagnostics(program)) {
    const message = ts.flattenDiagnosticMessageText(d.messageText, "\n");
    const b = d.file !== undefined ? virtual.get(resolve(d.file.fileName)) : undefined;
    if (d.file === undefined || d.start === undefined) {
      out.push({ where: "(program)", message });
      continue;
    }
    if (b === undefined) {
      out.push({ where: `${relative(workspaceRoot, d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start).line + 1}`, message });
      continue;
    }
    // The sample's first line is the line after the opening fence.
    const { line } = d.file.getLineAndCharacterOfPosition(d.start);
    out.push({ where: `${b.file}:${b.line + 1 + line}`, message });
  }
  return out;
}
