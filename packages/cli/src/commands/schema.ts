/**
 * `pinlab schema`: the JSON Schema of scenario files, including the actions of every registered
 * device, for editors (YAML language servers) and the playground.
 * @module
 */
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import type { DependencyContainer } from "tsyringe";
import { z } from "zod";
import { commonStepFields, listDevices, scenarioSchema, STEP_SCHEMAS } from "@pinlab/core";
import { EXIT, type CliIo } from "../io.js";
import { setUp, type CommonOptions } from "./shared.js";

/** Build the scenario JSON Schema for the plugins in `container`. */
export function scenarioJsonSchema(container: DependencyContainer): Record<string, unknown> {
  const steps: z.ZodType[] = Object.entries(STEP_SCHEMAS).filter(([op]) => op !== "device").map(([, s]) => s);
  for (const d of listDevices(container)) {
    for (const [action, spec] of Object.entries(d.meta.actions)) {
      steps.push(
        spec.fields
          .extend({ op: z.literal("device"), device: z.string().meta({ description: `a declared ${d.meta.id} device` }), action: z.literal(action), ...commonStepFields })
          .strict()
          .meta({ description: `${d.meta.id}: ${spec.summary}` }),
      );
    }
  }
  const full = scenarioSchema.extend({ steps: z.array(z.union(steps as [z.ZodType, z.ZodType, ...z.ZodType[]])).optional() });
  const js = z.toJSONSchema(full, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
  return { ...js, $id: "https://pinlab.dev/schema/scenario-v1.json", title: "pinlab scenario (format version 1)" };
}

/** Options of `pinlab schema`. */
export interface SchemaOptions extends CommonOptions {
  /** Write to this file instead of stdout. */
  readonly out?: string;
}

/** Print (or write) the JSON Schema. */
export async function schemaCommand(opts: SchemaOptions, io: CliIo): Promise<number> {
  const { container } = await setUp(opts, io);
  const text = `${JSON.stringify(scenarioJsonSchema(container), null, 2)}\n`;
  if (opts.out !== undefined) {
    writeFileSync(resolve(io.cwd, opts.out), text);
    io.err(`wrote ${resolve(io.cwd, opts.out)}\n`);
  } else io.out(text);
  return EXIT.OK;
}
