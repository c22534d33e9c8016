/**
 * Device options as a scenario writes them: a time such as `50us`, parsed to nanoseconds once,
 * when the device is attached. Action fields use core's `actionFields` (their handlers receive
 * them parsed and resolved).
 * @module
 */
import { parseTime } from "@pinlab/core";
import { z } from "zod";

/**
 * A time option, parsed to nanoseconds (`latency: 50us`). The default is written as a scenario
 * would write it (`"50us"`), so `pinlab list` and the JSON Schema show it that way.
 */
export function timeOption(defaultTime: string) {
  return z
    .union([z.number(), z.string()])
    .transform((v, ctx) => {
      const r = parseTime(v);
      if (!r.ok) {
        ctx.addIssue({ code: "custom", message: r.message });
        return z.NEVER;
      }
      return r.value;
    })
    .prefault(defaultTime);
}
