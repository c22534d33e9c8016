/**
 * The explicit registry of workloads: every workload the bench knows, by id, in the order reports
 * list them. Nothing registers itself by being imported.
 * @module
 */
import type { WorkloadDefinition } from "./define-workload.js";
import { dioWritebackRace } from "./dio-writeback-race.js";
import { gupThroughput } from "./gup-throughput.js";
import { longtermCma } from "./longterm-cma.js";
import { odpChurn } from "./odp-churn.js";
import { pinOverflow } from "./pin-overflow.js";
import { rdmaFileTruncate } from "./rdma-file-truncate.js";
import { rdmaFork } from "./rdma-fork.js";
import { sharedLibraryFalsePositive } from "./shared-library-false-positive.js";

/** Every workload, by id, in report order. */
export const workloads = {
  "dio-writeback-race": dioWritebackRace,
  "rdma-fork": rdmaFork,
  "rdma-file-truncate": rdmaFileTruncate,
  "odp-churn": odpChurn,
  "shared-library-false-positive": sharedLibraryFalsePositive,
  "longterm-cma": longtermCma,
  "pin-overflow": pinOverflow,
  "gup-throughput": gupThroughput,
} satisfies Record<string, WorkloadDefinition>;

/** A workload id. */
export type WorkloadId = keyof typeof workloads;

/** Every workload, in report order. */
export function listWorkloads(): WorkloadDefinition[] {
  return Object.values(workloads) as WorkloadDefinition[];
}

/** The workload with `id`, or undefined. */
export function findWorkload(id: string): WorkloadDefinition | undefined {
  return (workloads as Record<string, WorkloadDefinition>)[id];
}
