/**
 * Rewriting a plugin module's imports so that it runs against the playground's own modules: every
 * import specifier (static, re-export, or a dynamic `import()` of a string) is looked up, and
 * replaced by the URL the playground serves it from; a specifier it cannot serve (another
 * package, a relative file, a computed `import()`) is an error naming it. Specifiers are found
 * by es-module-lexer (its asm.js build: no WebAssembly to initialise, so no CSP exception for it).
 */
import { parse } from "es-module-lexer/js";

/** A plugin's import the playground cannot provide. */
export class UnresolvedImportError extends Error {
  /** `specifier` (undefined for a computed `import()`) is not one of `provided`. */
  constructor(readonly specifier: string | undefined, provided: readonly string[]) {
    super(specifier === undefined
      ? "imports a computed module name, which the playground cannot resolve"
      : `imports "${specifier}", which the playground cannot provide (it provides ${provided.join(", ")})`);
    this.name = "UnresolvedImportError";
  }
}

/** Import types of es-module-lexer (its `ImportType`): static, dynamic, `import.meta`. */
const STATIC = 1;
const DYNAMIC = 2;
const IMPORT_META = 3;

/**
 * `source` with each import specifier replaced by `urlOf(specifier)`. Throws
 * {@link UnresolvedImportError} when `urlOf` has none, and the lexer's error on a source it cannot
 * lex; `provided` lists what `urlOf` resolves (for the message).
 */
export async function rewriteImports(source: string, urlOf: (specifier: string) => string | undefined, provided: readonly string[]): Promise<string> {
  const [imports] = parse(source);
  let out = "";
  let at = 0;
  for (const imp of imports) {
    if (imp.t === IMPORT_META) continue;
    const url = imp.n === undefined ? undefined : urlOf(imp.n);
    if (url === undefined || (imp.t !== STATIC && imp.t !== DYNAMIC)) throw new UnresolvedImportError(imp.n, provided);
    // A static specifier's range is its text inside the quotes; a dynamic one's is the whole string literal.
    out += source.slice(at, imp.s) + (imp.t === STATIC ? url : JSON.stringify(url));
    at = imp.e;
  }
  return out + source.slice(at);
}
