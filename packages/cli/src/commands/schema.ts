/**
 * `pinlab schema`: the JSON Schema of scenario files, including the actions of every registered
 * device, for editors (YAML language servers) and the playground.
 * @module
 */
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { pluginView, scenarioJsonSchema } from "@pinlab/core";
import { EXIT, UsageError, type CliIo } from "../io.js";
import { setUp, type CommonOptions } from "./shared.js";

/** Options of `pinlab schema`. */
export interface SchemaOptions extends CommonOptions {
  /** Write to this file instead of stdout. */
  readonly out?: string;
}

/** Print (or write) the JSON Schema. */
export async function schemaCommand(opts: SchemaOptions, io: CliIo): Promise<number> {
  const { container } = await setUp(opts, io);
  const text = `${JSON.stringify(scenarioJsonSchema(pluginView(container)), null, 2)}\n`;
  if (opts.out !== undefined) {
    const file = resolve(io.cwd, opts.out);
    try {
      writeFileSync(file, text);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const why = code === "ENOENT" ? "its folder does not exist" : code === "EISDIR" ? "it is a directory" : code === "EACCES" ? "permission denied" : (e as Error).message;
      throw new UsageError(`--out ${opts.out}: cannot write ${file}: ${why}`);
    }
    io.err(`wrote ${file}\n`);
  } else io.out(text);
  return EXIT.OK;
}
