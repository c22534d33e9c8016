/**
 * The machine a run happened on, for the `context` block.
 * @module
 */
import { availableParallelism, arch, cpus, platform, totalmem } from "node:os";

/** The machine facts of a context block. */
export interface MachineFacts {
  /** `process.version`. */
  readonly node: string;
  /** V8 version. */
  readonly v8: string;
  /** Platform and architecture. */
  readonly platform: string;
  /** CPU model. */
  readonly cpu: string;
  /** Logical cores available. */
  readonly cores: number;
  /** Total memory, bytes. */
  readonly memoryBytes: number;
}

/** Read the machine facts. */
export function machineFacts(): MachineFacts {
  const c = cpus();
  return {
    node: process.version,
    v8: process.versions.v8,
    platform: `${platform()}-${arch()}`,
    cpu: c[0]?.model.trim() ?? "unknown",
    cores: availableParallelism(),
    memoryBytes: totalmem(),
  };
}
