/**
 * The JSON Schema of scenario files (format version 2.0: the shape of version 1 plus optional
 * fields, so every version 1 file validates against it; `$id` `scenario-v2`), including the actions of every
 * registered device, for editors (YAML language servers), `pinlab schema` and the playground.
 * @module
 */
import { z } from "zod";
import type { PluginView } from "./registry-view.js";
import { scenarioSchema } from "./schema/scenario.js";
import { commonStepFields, STEP_SCHEMAS } from "./schema/steps.js";
import { concurrentStepSchema } from "./schema/concurrent.js";

/** Build the scenario JSON Schema for the registered plugins. */
export function scenarioJsonSchema(plugins: PluginView): Record<string, unknown> {
  const steps: z.ZodType[] = Object.entries(STEP_SCHEMAS).filter(([op]) => op !== "device").map(([, s]) => s);
  for (const d of plugins.devices.values()) {
    for (const [action, spec] of Object.entries(d.meta.actions)) {
      steps.push(
        spec.fields
          .extend({ op: z.literal("device"), device: z.string().meta({ description: `a declared ${d.meta.id} device` }), action: z.literal(action), ...commonStepFields })
          .strict()
          .meta({ description: `${d.meta.id}: ${spec.summary}` }),
      );
    }
  }
  const policyNames = [...plugins.policies.keys(), "all"];
  const full = scenarioSchema.extend({
    // (issue 21) A concurrent block's threads hold ordinary steps (no nested block).
    steps: z.array(z.union([...steps, concurrentStepSchema(z.union(steps as [z.ZodType, z.ZodType, ...z.ZodType[]]))] as unknown as [z.ZodType, z.ZodType, ...z.ZodType[]])).optional(),
    policy: z.union([z.enum(policyNames as [string, ...string[]]), z.array(z.enum(policyNames as [string, ...string[]])).min(1)]).optional(),
  });
  // `reused: "ref"`: each step's schema is written once under $defs and referenced from both the
  // step list and a concurrent block's threads (inlined twice, the schema was 2.6 MB, deep enough
  // to overflow ajv's compiler in a worker thread).
  const js = z.toJSONSchema(full, { io: "input", unrepresentable: "any", reused: "ref" }) as Record<string, unknown>;
  return { ...js, $id: "https://pinlab.dev/schema/scenario-v2.json", title: "pinlab scenario (format version 2.0)" };
}
