import { container as rootContainer, type DependencyContainer } from "tsyringe";
import { listDevices } from "../plugin/registry.js";
import { instantiatePlugin } from "../plugin/instantiate.js";
import { resolve } from "../di/tokens.js";
import { ACTIVE_POLICY, type PolicyCapabilities } from "../policy/pin-policy.js";
import { CLOCK } from "../sim/clock.js";
import { CONFIG } from "../config/kernel-config.js";
import { DMA } from "../device/dma-engine.js";
import { EVENTS } from "../events/event-bus.js";
import { GUP } from "../gup/gup.js";
import { KERNEL } from "../kernel/context.js";
import { MEMORY } from "../memory/physical-memory.js";
import { NOTIFIERS } from "../notifier/mmu-notifiers.js";
import { ORACLE } from "../oracle/oracle.js";
import { RNG } from "../sim/rng.js";
import { FAULTS, FaultInjector } from "../sim/fault-injection.js";
import type { Device } from "../device/device-plugin.js";
import { DmaEngine } from "../device/dma-engine.js";
import { EventBus } from "../events/event-bus.js";
import { Gup } from "../gup/gup.js";
import { checkInvariants } from "../invariants/checker.js";
import { PhysicalMemory } from "../memory/physical-memory.js";
import { MmuNotifiers } from "../notifier/mmu-notifiers.js";
import { Oracle } from "../oracle/oracle.js";
import { VirtualClock } from "../sim/clock.js";
import { Rng } from "../sim/rng.js";
import { parseKernelConfig, type KernelConfig, type KernelConfigInput } from "../config/kernel-config.js";
import { Kernel } from "../kernel/kernel.js";
import type { KernelEra } from "../era/era-rules.js";
import { DEFAULT_KERNEL } from "../era/eras.js";
import { eraById, findEra, KERNEL_ERA_IDS } from "../era/era-lookup.js";
import { KERNEL_ERA } from "../era/era-token.js";
import { pinsAsGets } from "../policy/pins-as-gets.js";
import { PluginContractError } from "../plugin/plugin-errors.js";

/** Options of {@link createKernel}. */
export interface CreateKernelOptions {
  /** The container holding registered plugins (policies, devices); a child is made from it. Default: tsyringe's root. */
  readonly container?: DependencyContainer;
  /**
   * (2.0) Run these era rules instead of the era the config or policy names: an era that never
   * shipped, such as one era with a single rule of the next (what `pinlab timeline` does to find
   * which commit changed an outcome).
   */
  readonly kernelEra?: KernelEra;
}

/** A kernel together with the services built around it in its DI container. */
export interface KernelInstance {
  /** The kernel. */
  readonly kernel: Kernel;
  /** The GUP API. */
  readonly gup: Gup;
  /** The hazard oracle. */
  readonly oracle: Oracle;
  /** The DMA engine. */
  readonly dma: DmaEngine;
  /** The fault injector: `stats()` tells the calls of each fault point and the failures injected. */
  readonly faults: FaultInjector;
  /** What the kernel's pin policy declares it does (its descriptor's `meta.capabilities`). */
  readonly policyCapabilities: PolicyCapabilities;
  /** The kernel's own child container. */
  readonly container: DependencyContainer;
  /** Devices attached so far, by name. */
  readonly devices: Map<string, Device>;
  /** Audit the kernel's state; returns violations (empty = consistent). */
  check(): string[];
}

/**
 * Build a kernel from a config (validated here: sizes may be strings like `"64MiB"`), in its own
 * child container, with the policy the config names. Throws `ConfigError` for a bad config, and
 * what {@link instantiatePlugin} throws for an unknown policy (listing the registered ones), bad
 * options (naming each field) or a policy plugin whose `create()` returns no policy.
 */
export function createKernel(input: KernelConfigInput | KernelConfig, opts: CreateKernelOptions = {}): KernelInstance {
  const config = parseKernelConfig(input);
  const parent = opts.container ?? rootContainer;
  const c = parent.createChildContainer();
  c.register(CONFIG, { useValue: config });
  c.register(RNG, { useValue: new Rng(config.seed) });
  c.registerSingleton(CLOCK, VirtualClock);
  c.registerSingleton(EVENTS, EventBus);
  const events = resolve(c, EVENTS);
  if (config.keepEventLog) events.keepLog();
  const faults = new FaultInjector(config.faults, config.seed, (point, call) => events.emit("fault_inject", { point, call }));
  c.register(FAULTS, { useValue: faults });
  c.registerSingleton(MEMORY, PhysicalMemory);
  c.registerSingleton(NOTIFIERS, MmuNotifiers);
  const memory = resolve(c, MEMORY);
  const ref: { kernel?: Kernel } = {};
  let era: KernelEra | undefined;
  const { descriptor, instance: created } = instantiatePlugin("policy", c, config.policy, config.policyOptions, (options, d) => {
    era = opts.kernelEra ?? kernelEraFor(config.kernel, d.meta.defaultKernel, d.meta.id);
    return { memory, events, config, options, era, mmOf: (pid) => ref.kernel?.mmOf(pid), inodeOf: (id) => ref.kernel?.inodes.get(id), files: () => ref.kernel?.files.values() ?? [] };
  });
  const kernelEra = era!;
  // Before v5.7 FOLL_PIN was not counted: every policy's pins are plain references there.
  const policy = kernelEra.rules.follPin === "get" ? pinsAsGets(created) : created;
  c.register(KERNEL_ERA, { useValue: kernelEra });
  c.register(ACTIVE_POLICY, { useValue: policy });
  c.registerSingleton(KERNEL, Kernel);
  // The token names the interface; this container registered the class under it.
  const kernel = resolve(c, KERNEL) as Kernel;
  ref.kernel = kernel;
  c.registerSingleton(GUP, Gup);
  c.registerSingleton(ORACLE, Oracle);
  c.registerSingleton(DMA, DmaEngine);
  const gup = resolve(c, GUP);
  const oracle = resolve(c, ORACLE);
  const dma = resolve(c, DMA);
  const zones: Record<string, number> = {};
  for (const z of memory.zones) zones[z.name] = z.end - z.start;
  events.emit("boot", { frames: memory.nrFrames, zones, policy: policy.id, seed: config.seed });
  const k = kernel;
  return {
    kernel: k, gup, oracle, dma, faults, policyCapabilities: descriptor.meta.capabilities, container: c, devices: new Map(), check: () => checkInvariants(k, gup),
  };
}

/**
 * The era a kernel runs: the config's `kernel`, else the policy's `defaultKernel`, else
 * {@link DEFAULT_KERNEL}. A policy naming an unknown default era is a bug in the policy plugin.
 */
export function kernelEraFor(configured: string | undefined, policyDefault: string | undefined, policyId: string): KernelEra {
  if (configured !== undefined) return eraById(configured);
  if (policyDefault === undefined) return eraById(DEFAULT_KERNEL);
  const era = findEra(policyDefault);
  if (era === undefined) throw new PluginContractError(`policy "${policyId}": meta.defaultKernel "${policyDefault}" names no kernel era (${KERNEL_ERA_IDS.join(", ")}): a bug in the policy plugin`);
  return era;
}

/** Names of every registered device kind (for messages). */
export function deviceKinds(container: DependencyContainer): string[] {
  return listDevices(container).map((d) => d.meta.id).sort();
}
