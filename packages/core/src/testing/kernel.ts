/** Test helpers: a kernel with the test policy, in a fresh container. */
import "reflect-metadata";
import { container, type DependencyContainer } from "tsyringe";
import { registerPinPolicy } from "../plugin/registry.js";
import type { KernelConfigInput } from "../config/kernel-config.js";
import { createKernel, type KernelInstance } from "../instance/create-kernel.js";
import { testPolicy } from "./test-policy.js";

/** A fresh root container with the test policy registered. */
export function testContainer(): DependencyContainer {
  const c = container.createChildContainer();
  registerPinPolicy(c, testPolicy, "core/test-support");
  return c;
}

/** Build a kernel with the test policy; `machine.memory` defaults to 64MiB. */
export function testKernel(cfg: Partial<KernelConfigInput> = {}): KernelInstance {
  return createKernel({ machine: { memory: "64MiB" }, policy: "test-exact", ...cfg }, { container: testContainer() });
}

/** Fail the test when the kernel's invariants do not hold. */
export function expectConsistent(inst: KernelInstance): void {
  const v = inst.check();
  if (v.length > 0) throw new Error(`invariants violated:\n  ${v.join("\n  ")}`);
}
