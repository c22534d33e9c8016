import { container as rootContainer, type DependencyContainer } from "tsyringe";
import { listDevices, listPolicies, pluginSource } from "../plugin/registry.js";
import { resolve } from "../di/tokens.js";
import { ACTIVE_POLICY } from "../policy/pin-policy.js";
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

/** Options of {@link createKernel}. */
export interface CreateKernelOptions {
  /** The container holding registered plugins (policies, devices); a child is made from it. Default: tsyringe's root. */
  readonly container?: DependencyContainer;
}

/** An unknown policy or device kind, or bad plugin options. */
export class UnknownPluginError extends Error {
  /** Make the error. */
  constructor(message: string) {
    super(message);
    this.name = "UnknownPluginError";
  }
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
  /** The kernel's own child container. */
  readonly container: DependencyContainer;
  /** Devices attached so far, by name. */
  readonly devices: Map<string, Device>;
  /** Audit the kernel's state; returns violations (empty = consistent). */
  check(): string[];
}

/**
 * Build a kernel from a config (validated here: sizes may be strings like `"64MiB"`), in its own
 * child container, with the policy the config names. Throws `ConfigError` for a bad config and
 * {@link UnknownPluginError} for an unknown policy (listing the registered ones) or bad options.
 */
export function createKernel(input: KernelConfigInput | KernelConfig, opts: CreateKernelOptions = {}): KernelInstance {
  const config = parseKernelConfig(input);
  const parent = opts.container ?? rootContainer;
  const c = parent.createChildContainer();
  c.register(CONFIG, { useValue: config });
  c.register(RNG, { useValue: new Rng(config.seed) });
  c.registerSingleton(CLOCK, VirtualClock);
  c.registerSingleton(EVENTS, EventBus);
  c.registerSingleton(MEMORY, PhysicalMemory);
  c.registerSingleton(NOTIFIERS, MmuNotifiers);
  const events = resolve(c, EVENTS);
  if (config.keepEventLog) events.keepLog();
  const policies = listPolicies(c);
  const desc = policies.find((p) => p.meta.id === config.policy);
  if (desc === undefined) {
    const known = policies.map((p) => p.meta.id).sort();
    throw new UnknownPluginError(
      known.length === 0
        ? `no pin policies are registered; call register() from @pinlab/policies on the container first`
        : `unknown policy "${config.policy}"; registered policies: ${known.join(", ")}`,
    );
  }
  const parsed = desc.meta.options.safeParse(config.policyOptions);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `policyOptions.${i.path.join(".") || "(root)"}: ${i.message}`);
    throw new UnknownPluginError(`bad options for policy "${desc.meta.id}":\n  ${issues.join("\n  ")}`);
  }
  const memory = resolve(c, MEMORY);
  const ref: { kernel?: Kernel } = {};
  const policy = desc.create({
    memory, events, config, options: parsed.data, mmOf: (pid) => ref.kernel?.mmOf(pid), inodeOf: (id) => ref.kernel?.inodes.get(id), files: () => ref.kernel?.files.values() ?? [],
  });
  if (policy === null || typeof policy !== "object" || typeof (policy as { grab?: unknown }).grab !== "function") {
    throw new UnknownPluginError(`policy "${desc.meta.id}" (${pluginSource(desc)}): create() returned ${policy === null ? "null" : typeof policy}, not a PinPolicy: a bug in the policy plugin`);
  }
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
  return { kernel: k, gup, oracle, dma, container: c, devices: new Map(), check: () => checkInvariants(k, gup) };
}

/** Names of every registered device kind (for messages). */
export function deviceKinds(container: DependencyContainer): string[] {
  return listDevices(container).map((d) => d.meta.id).sort();
}
