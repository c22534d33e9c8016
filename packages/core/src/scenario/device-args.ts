import type { ActionRefs } from "../device/action-fields.js";
import type { Kernel } from "../kernel/kernel.js";
import type { Bindings } from "./bindings.js";

/**
 * How a `device` step's references resolve during a run: processes and files of the kernel (not
 * its internal files), addresses through the names earlier steps bound.
 */
export function scenarioActionRefs(k: Kernel, bindings: Bindings): ActionRefs {
  return {
    proc: (name) => k.process(name),
    file(name) {
      const f = k.files.get(name);
      if (f === undefined || f.internal) throw new Error(`unknown file "${name}"`);
      return f;
    },
    addr: (value, field) => bindings.addr(value, field),
  };
}
