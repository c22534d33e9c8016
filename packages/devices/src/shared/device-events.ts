/**
 * The `device` events a plugin emits: registrations, faults, invalidations, completions. One
 * helper so every device stamps its name and kind the same way.
 * @module
 */
import type { DeviceContext } from "@pinlab/core";

/** Emit a `device` event for `ctx`'s device of kind `kind`. */
export function emitDeviceEvent(ctx: DeviceContext<unknown>, kind: string, action: string, detail: Record<string, unknown>): void {
  ctx.events.emit("device", { device: ctx.name, kind, action, detail });
}
