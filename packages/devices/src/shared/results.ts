/**
 * Building {@link DeviceActionResult}s: success with a value (and the name it is known by), or an
 * errno with a sentence saying why.
 * @module
 */
import type { DeviceActionResult } from "@pinlab/core";

/** A successful action, with its value and (for actions that create something) its name. */
export function succeeded(value?: unknown, name?: string): DeviceActionResult {
  return name === undefined ? { ok: true, value } : { ok: true, value, name };
}

/** A failed action. `errno` may be given negative, as kernel calls return it. */
export function failed(errno: number, message: string): DeviceActionResult {
  return { ok: false, errno: Math.abs(errno), message };
}
