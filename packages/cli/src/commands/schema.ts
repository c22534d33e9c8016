/**
 * `pinlab schema`: the JSON Schema of scenario files, including the actions of every registered
 * device, for editors (YAML language servers) and the playground.
 * @module
 */
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { pluginView, scenarioJsonSchema } from "@pinlab/core";
import { EXIT, type CliIo } from "../io.js";
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
    writeFileSync(resolve(io.cwd, opts.out), text);
    io.err(`wrote ${resolve(io.cwd, opts.out)}\n`);
  } else io.out(text);
  return EXIT.OK;
}
