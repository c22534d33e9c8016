/**
 * Building a kernel for a cell: its policy, the policy options the workload asks for, its seed,
 * its kernel era, in a child container of the one holding the registered plugins.
 * @module
 */
import { createKernel, type KernelConfigInput, type KernelInstance } from "@pinlab/core";
import type { DependencyContainer } from "tsyringe";

/** What a kernel of a cell is built from. */
export interface KernelCell {
  /** Policy id. */
  readonly policy: string;
  /** Policy options. */
  readonly policyOptions: Readonly<Record<string, unknown>>;
  /** Seed. */
  readonly seed: number;
  /** Kernel era id (`v5.3`...); undefined = the policy's own era. */
  readonly kernel?: string;
  /** Registered plugins. */
  readonly container: DependencyContainer;
}

/** The machine and other kernel settings a workload chooses; the cell fixes policy, options, seed and era. */
export type WorkloadKernelConfig = Omit<KernelConfigInput, "policy" | "policyOptions" | "seed" | "kernel">;

/** Build a kernel for `cell`. */
export function buildCellKernel(cell: KernelCell, config: WorkloadKernelConfig): KernelInstance {
  return createKernel(
    { ...config, seed: cell.seed, policy: cell.policy, policyOptions: { ...cell.policyOptions }, ...(cell.kernel !== undefined ? { kernel: cell.kernel } : {}) },
    { container: cell.container },
  );
}
