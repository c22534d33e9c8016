/**
 * Dependency injection: every decorated service names each constructor dependency with an
 * explicit `@inject(TOKEN)`, so it resolves without emitted `design:paramtypes` metadata: under
 * vitest (oxc) and, proven in a separate `node` process, from the built `dist/` output with the
 * metadata stripped. Plus the plugin registry's duplicate and malformed-descriptor rules.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { container } from "tsyringe";
import { z } from "zod";
import { DmaEngine } from "../device/dma-engine.js";
import { EventBus } from "../events/event-bus.js";
import { Gup } from "../gup/gup.js";
import { Kernel } from "../kernel/kernel.js";
import { createKernel } from "../instance/create-kernel.js";
import { PhysicalMemory } from "../memory/physical-memory.js";
import { MmuNotifiers } from "../notifier/mmu-notifiers.js";
import { Oracle } from "../oracle/oracle.js";
import { definePinPolicy } from "../policy/pin-policy.js";
import { VirtualClock } from "../sim/clock.js";
import { testPolicy } from "../testing/test-policy.js";
import { testContainer } from "../testing/kernel.js";
import { PluginRegistrationError } from "../plugin/plugin-errors.js";
import { listPolicies, pluginSource, registerDevice, registerPinPolicy } from "../plugin/registry.js";
import { CONFIG } from "../config/kernel-config.js";
import { DMA } from "../device/dma-engine.js";
import { EVENTS } from "../events/event-bus.js";
import { GUP } from "../gup/gup.js";
import { KERNEL } from "../kernel/context.js";
import { MEMORY } from "../memory/physical-memory.js";
import { NOTIFIERS } from "../notifier/mmu-notifiers.js";
import { ORACLE } from "../oracle/oracle.js";
import { PIN_POLICY } from "../policy/pin-policy.js";
import { CLOCK } from "../sim/clock.js";
import { resolve, resolveAll } from "./tokens.js";

/** tsyringe's metadata key for `@inject` tokens (reflection-helpers.js). */
const INJECTION_TOKENS = "injectionTokens";

describe("decorated services", () => {
  it.each([
    ["Kernel", Kernel],
    ["EventBus", EventBus],
    ["VirtualClock", VirtualClock],
    ["PhysicalMemory", PhysicalMemory],
    ["MmuNotifiers", MmuNotifiers],
    ["Gup", Gup],
    ["Oracle", Oracle],
    ["DmaEngine", DmaEngine],
  ] as [string, abstract new (...a: never[]) => unknown][])("%s names every constructor parameter with @inject(TOKEN)", (_n, cls) => {
    const tokens = (Reflect.getOwnMetadata(INJECTION_TOKENS, cls) ?? {}) as Record<string, unknown>;
    for (let i = 0; i < cls.length; i++) {
      // tsyringe keeps either the token itself or a descriptor { token, multiple, isOptional }.
      const t = tokens[i];
      const tok = typeof t === "object" && t !== null ? (t as { token: unknown }).token : t;
      expect(typeof tok, `parameter #${i} of ${cls.name}`).toBe("symbol");
    }
    expect(Object.keys(tokens).length).toBe(cls.length);
  });

  it("resolves every service of a kernel through its typed token under vitest", () => {
    const inst = createKernel({ machine: { memory: "4MiB" }, policy: "test-exact" }, { container: testContainer() });
    const c = inst.container;
    expect(resolve(c, KERNEL)).toBeInstanceOf(Kernel);
    expect(resolve(c, GUP)).toBe(inst.gup);
    expect(resolve(c, ORACLE)).toBe(inst.oracle);
    expect(resolve(c, DMA)).toBe(inst.dma);
    expect(resolve(c, EVENTS)).toBe(inst.kernel.events);
    expect(resolve(c, CLOCK)).toBe(inst.kernel.clock);
    expect(resolve(c, MEMORY)).toBe(inst.kernel.memory);
    expect(resolve(c, NOTIFIERS)).toBe(inst.kernel.notifiers);
    expect(resolve(c, CONFIG).machine.memory).toBe(4 * 1024 * 1024);
  });
});

describe("plugin registry", () => {
  it("contributes descriptors to the PIN_POLICY extension point and remembers where they came from", () => {
    const c = container.createChildContainer();
    expect(resolveAll(c, PIN_POLICY)).toEqual([]);
    registerPinPolicy(c, testPolicy, "pkg-a");
    expect(listPolicies(c).map((p) => p.meta.id)).toEqual(["test-exact"]);
    expect(pluginSource(testPolicy)).toBe("pkg-a");
    expect(pluginSource({})).toBe("(unknown)");
    // A child container sees its parent's plugins.
    expect(listPolicies(c.createChildContainer())).toHaveLength(1);
  });

  it("rejects a second plugin claiming the same id, naming both packages", () => {
    const c = container.createChildContainer();
    registerPinPolicy(c, testPolicy, "pkg-a");
    const twin = definePinPolicy({ meta: { ...testPolicy.meta }, create: testPolicy.create });
    expect(() => registerPinPolicy(c, twin, "pkg-b")).toThrow(
      new PluginRegistrationError('policy id "test-exact" is claimed twice: by pkg-a and by pkg-b. Rename one of them.'),
    );
  });

  it("rejects malformed descriptors with the source in the message", () => {
    const c = container.createChildContainer();
    expect(() => registerPinPolicy(c, {} as never, "pkg-x")).toThrow(/pkg-x: a policy descriptor must be an object with meta.id \(use definePinPolicy\(\)\)/);
    expect(() => registerDevice(c, { meta: { id: "d" } } as never, "pkg-y")).toThrow(/pkg-y: device "d" has no create\(\) function/);
    expect(() => definePinPolicy({ meta: { ...testPolicy.meta, id: "Bad Id", options: z.object({}) }, create: testPolicy.create as never })).toThrow(/kebab-case/);
  });

  it("rejects metadata pinlab could not use: a non-kebab id, options that are not a schema, missing or malformed capabilities, device actions without field schemas", () => {
    const c = container.createChildContainer();
    const badOptions = { ...testPolicy, meta: { ...testPolicy.meta, id: "bad-options", options: { bias: 1 } } };
    expect(() => registerPinPolicy(c, badOptions as never, "pkg-x")).toThrow('pkg-x: policy "bad-options": meta.options must be a zod schema');
    const noKernel = { ...testPolicy, meta: { ...testPolicy.meta, id: "no-kernel", kernel: undefined } };
    expect(() => registerPinPolicy(c, noKernel as never, "pkg-x")).toThrow('pkg-x: policy "no-kernel": meta.kernel must be a string');
    const noCaps = { ...testPolicy, meta: { ...testPolicy.meta, id: "no-caps", capabilities: undefined } };
    expect(() => registerPinPolicy(c, noCaps as never, "pkg-x")).toThrow('pkg-x: policy "no-caps": meta.capabilities: Invalid input: expected object, received undefined');
    const badCaps = { ...testPolicy, meta: { ...testPolicy.meta, id: "bad-caps", capabilities: { ...testPolicy.meta.capabilities, filePins: "yes" } } };
    expect(() => registerPinPolicy(c, badCaps as never, "pkg-x")).toThrow('pkg-x: policy "bad-caps": meta.capabilities.filePins: Invalid input: expected boolean, received string');
    const badId = { ...testPolicy, meta: { ...testPolicy.meta, id: "Bad_Id" } };
    expect(() => registerPinPolicy(c, badId as never, "pkg-x")).toThrow('pkg-x: policy "Bad_Id": meta.id must be lower-case kebab-case');
    const device = { meta: { id: "dev", summary: "s", driver: "d", options: z.object({}), actions: { go: { summary: "s", fields: {} } } }, create: () => ({}) };
    expect(() => registerDevice(c, device as never, "pkg-y")).toThrow('pkg-y: device "dev": meta.actions.go.fields must be a zod object schema');
    expect(listPolicies(c)).toEqual([]);
  });

  it("refuses a policy whose create() returns no policy, naming it as a plugin bug", () => {
    const c = container.createChildContainer();
    registerPinPolicy(c, { ...testPolicy, meta: { ...testPolicy.meta, id: "returns-null" }, create: () => null } as never, "pkg-z");
    expect(() => createKernel({ machine: { memory: "4MiB" }, policy: "returns-null" }, { container: c }))
      .toThrow('policy "returns-null" (pkg-z): create() returned null, not a PinPolicy: a bug in the policy plugin');
  });
});

describe("built output (dist/, no vitest transform)", () => {
  const pkg = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
  const dist = join(pkg, "dist", "index.js");

  /** Newest modification time of the non-test sources. */
  function newestSource(dir: string): number {
    let t = 0;
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) t = Math.max(t, newestSource(p));
      else if (e.name.endsWith(".ts") && !e.name.endsWith(".test.ts")) t = Math.max(t, statSync(p).mtimeMs);
    }
    return t;
  }

  it("creates a kernel with an inline policy from dist/index.js in plain node, with decorator metadata stripped", { timeout: 120_000 }, () => {
    // The package's own build (tsc) when dist/ is missing or older than the sources.
    if (!existsSync(dist) || statSync(dist).mtimeMs < newestSource(join(pkg, "src"))) {
      execFileSync(process.execPath, [join(pkg, "..", "..", "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.build.json"], { cwd: pkg });
    }
    const script = `
      import "reflect-metadata";
      // Strip every design:* metadata the compiler emitted, before the classes are defined.
      const original = Reflect.metadata;
      Reflect.metadata = (key, value) => (String(key).startsWith("design:") ? () => undefined : original(key, value));
      const core = await import(process.env.PINLAB_DIST);
      const { container } = await import("tsyringe");
      const { z } = await import("zod");
      const inline = core.definePinPolicy({
        meta: { id: "inline-get", summary: "every grab a plain reference", kernel: "test", options: z.object({}).strict(), capabilities: { filePins: false, extraAtomicsPerPin: 0, extraAtomicsPerUnpin: 0 } },
        create: (ctx) => ({
          id: "inline-get", countsPins: false,
          checkFlags: () => 0,
          grab: (head, refs) => (ctx.memory.get(head, refs), true),
          release: (head, refs) => void ctx.memory.put(head, refs),
          maybeDmaPinned: () => false, pinCount: () => 0, refsForPins: (_h, n) => n,
          forkMustCopy: () => false, mustUnshare: () => false, checkLongtermVma: () => 0,
          fastFolioAllowed: () => true, longtermPinnable: () => true, longtermFilePage: () => 0,
          releaseFilePages: () => undefined, checkTruncate: () => 0, setLease: () => 22, filePins: () => [],
          accountingBytes: () => 0,
        }),
      });
      const child = container.createChildContainer();
      core.registerPinPolicy(child, inline, "inline-script");
      const inst = core.createKernel({ machine: { memory: "4MiB" }, policy: "inline-get" }, { container: child });
      const k = inst.kernel;
      const p = k.spawn("p");
      const a = core.doMmap(k, p, { length: 4 * 4096, prot: core.VM_READ | core.VM_WRITE, shared: false, anonymous: true });
      const pages = [];
      const got = inst.gup.pinUserPages(p, a, 4, core.FOLL_WRITE, pages);
      inst.gup.unpinUserPages(pages, got);
      console.log(JSON.stringify({
        paramtypes: Reflect.getMetadata("design:paramtypes", core.Kernel) ?? null,
        sameKernel: core.resolve(inst.container, core.KERNEL) === k,
        gupKernel: inst.gup.s.k === k,
        policy: k.policy.id,
        got,
        violations: inst.check(),
        events: k.events.count, // boot, process, mmap, gup, release
      }));
    `;
    const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], {
      cwd: pkg,
      env: { ...process.env, PINLAB_DIST: pathToFileURL(dist).href },
      encoding: "utf8",
    });
    expect(JSON.parse(out.trim().split("\n").at(-1)!)).toEqual({
      paramtypes: null, sameKernel: true, gupKernel: true, policy: "inline-get", got: 4, violations: [], events: 5,
    });
  });
});
