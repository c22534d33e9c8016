/**
 * What every model child check uses: sizes scaled for tests, a full garbage collection, memory
 * snapshots, a kernel built with the child's policy, and a nanosecond clock.
 * @module
 */
import { createKernel, type KernelInstance } from "@pinlab/core";
import type { DependencyContainer } from "tsyringe";
import type { MemorySnapshot } from "./model-checks.js";

/** Bytes in a MiB. */
export const MiB = 1024 ** 2;
/** Bytes in a GiB. */
export const GiB = 1024 ** 3;

/** `bytes` times `scale`, rounded to whole 2 MiB blocks (at least one). */
export function scaled(bytes: number, scale: number): number {
  const block = 2 * MiB;
  return Math.max(block, Math.round((bytes * scale) / block) * block);
}

/** Full garbage collections (the child runs with `--expose-gc`). */
export function gc(): void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g === undefined) throw new Error("the model child needs --expose-gc");
  for (let i = 0; i < 4; i++) g();
}

/** `process.memoryUsage()` after {@link gc}. */
export function memory(): MemorySnapshot {
  gc();
  const m = process.memoryUsage();
  return { rss: m.rss, arrayBuffers: m.arrayBuffers, heapUsed: m.heapUsed };
}

/** A kernel of `bytes` of memory with `policy`, in the plugins' container. */
export function kernel(c: DependencyContainer, policy: string, bytes: number): KernelInstance {
  return createKernel({ machine: { memory: bytes }, policy }, { container: c });
}

/** The monotonic clock, ns. */
export function now(): number {
  return Number(process.hrtime.bigint());
}

/** ns that `fn` takes. */
export function timeNs(fn: () => void): number {
  const t0 = now();
  fn();
  return now() - t0;
}
