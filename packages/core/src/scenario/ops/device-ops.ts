/** Executor of device actions. */
import { DeviceArgError, type DeviceActionResult } from "../../device/device-plugin.js";
import { KernelError, ModelError } from "../../errno.js";
import { describeThrown } from "../describe-thrown.js";
import { StepInputError } from "../bindings.js";
import { scenarioActionRefs } from "../device-args.js";
import { splitDeviceStep, type StepOf } from "../schema/steps.js";
import type { RunContext, StepOutcome } from "../run-context.js";

/** `device`: perform the action; binds its result (region or IO name) under `as`. */
export function runDevice(ctx: RunContext, s: StepOf<"device">): StepOutcome {
  const dev = ctx.inst.devices.get(s.device);
  if (dev === undefined) return { error: `device "${s.device}" is not attached` };
  const kind = ctx.scenario.header.devices.find((d) => d.name === s.device)?.kind ?? "?";
  const { fields } = splitDeviceStep(s);
  try {
    const r: unknown = dev.perform({ action: s.action, fields, as: s.as, refs: scenarioActionRefs(ctx.inst.kernel, ctx.bindings) });
    if (!isActionResult(r)) {
      return { error: `device "${s.device}" (${kind}): action ${s.action} returned ${describeValue(r)}, not { ok: true, ... } or { ok: false, errno }: a bug in the device plugin` };
    }
    if (!r.ok) return { errno: r.errno, ...(typeof r.message === "string" && r.message !== "" ? { message: r.message } : {}) };
    const name = r.name ?? s.as;
    if (s.as !== undefined) ctx.bindings.set(s.as, { kind: "device", device: s.device, name: name ?? s.as, value: r.value });
    return { result: r.value ?? name ?? null };
  } catch (e) {
    if (e instanceof DeviceArgError) throw new StepInputError(e.field, e.reason);
    if (e instanceof KernelError || e instanceof ModelError || e instanceof StepInputError) throw e;
    return { error: `device "${s.device}" (${kind}): action ${s.action} threw ${describeThrown(e)}: a bug in the code it was thrown from (the device plugin, or a policy plugin or pinlab code it called)` };
  }
}

function isActionResult(r: unknown): r is DeviceActionResult {
  if (typeof r !== "object" || r === null) return false;
  const o = r as { ok?: unknown; errno?: unknown };
  return o.ok === true || (o.ok === false && typeof o.errno === "number");
}

function describeValue(v: unknown): string {
  if (v === undefined || v === null) return String(v);
  try {
    return JSON.stringify(v)?.slice(0, 80) ?? typeof v;
  } catch {
    return typeof v;
  }
}
