/** Executor of device actions. */
import { DeviceArgError } from "../../device/device-plugin.js";
import { StepInputError } from "../bindings.js";
import { makeActionArgs } from "../device-args.js";
import type { StepOf } from "../schema/steps.js";
import type { RunContext, StepOutcome } from "../run-context.js";

const BASE = new Set(["op", "device", "action", "as", "expect", "expect_by_policy", "note"]);

/** `device`: perform the action; binds its result (region or IO name) under `as`. */
export function runDevice(ctx: RunContext, s: StepOf<"device">): StepOutcome {
  const dev = ctx.inst.devices.get(s.device);
  if (dev === undefined) return { error: `device "${s.device}" is not attached` };
  const raw: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(s)) if (!BASE.has(key)) raw[key] = v;
  try {
    const r = dev.perform({ action: s.action, args: makeActionArgs(raw, ctx.inst.kernel, ctx.bindings), as: s.as });
    if (!r.ok) return { errno: r.errno };
    const name = r.name ?? s.as;
    if (s.as !== undefined) ctx.bindings.set(s.as, { kind: "device", device: s.device, name: name ?? s.as, value: r.value });
    return { result: r.value ?? name ?? null };
  } catch (e) {
    if (e instanceof DeviceArgError) throw new StepInputError(e.field, e.message);
    throw e;
  }
}
