/**
 * From a scenario's `machine` section to the kernel's machine config.
 * @module
 */
import type { ThpSettings } from "../config/thp-config.js";
import type { ScenarioHeader } from "./schema/scenario.js";

/** The kernel's machine config for a scenario's machine section. */
export function machineConfig(m: ScenarioHeader["machine"]): { memory: number; movable: number; cma: number; pmem: number; deviceMemory: number; memlock?: number; thp?: ThpSettings; swap: number; hugetlb_1g: number } {
  return {
    memory: m.memory, movable: m.movable ?? 0, cma: m.cma ?? 0, pmem: m.pmem ?? 0, deviceMemory: m.device_memory ?? 0, ...(m.memlock !== undefined ? { memlock: m.memlock } : {}),
    ...(m.thp !== undefined ? { thp: m.thp } : {}), swap: m.swap ?? 0, hugetlb_1g: m.hugetlb_1g ?? 0,
  };
}
