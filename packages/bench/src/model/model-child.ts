/**
 * The child process of one model micro-benchmark: `node --expose-gc model-child.js CHECK ARGS`.
 * It builds kernels with the policy it is given, measures, and sends the result to its parent.
 * @module
 */
import "reflect-metadata";
import {
  DEFAULT_POLICY, FOLL_WRITE, PAGE_SIZE, VM_READ, VM_WRITE, doFork, doMmap, doMunmap, doTruncate, listPolicies, loadScenario, migrateRange, pluginView,
  runScenario, touchRange, userWrite, writeback, type KernelEvent,
} from "@pinlab/core";
import type { DependencyContainer } from "tsyringe";
import { pluginContainer } from "../runner/load-plugins.js";
import type { ModelCheck, ModelChildArgs, ModelChildResult } from "./model-checks.js";
import { GiB, MiB, gc, kernel, memory, now, scaled } from "./model-child-support.js";
import { call, huge, pinOrder0, unpinOrder0 } from "./model-gup-checks.js";
import { scenario100k, scenario100kInvariants } from "./model-scenario-checks.js";
import { scenarioText } from "./scenario-text.js";

function footprint(c: DependencyContainer, policy: string, scale: number): ModelChildResult {
  const machineBytes = scaled(16 * GiB, scale);
  const faultedBytes = scaled(4 * GiB, scale);
  const before = memory();
  const inst = kernel(c, policy, machineBytes);
  const machine = memory();
  const p = inst.kernel.spawn("p");
  const addr = doMmap(inst.kernel, p, { length: faultedBytes, prot: VM_READ | VM_WRITE, shared: false, anonymous: true });
  const r = touchRange(inst.kernel, p, addr, faultedBytes, true);
  if (r < 0) throw new Error(`touch of ${faultedBytes} bytes failed: ${r}`);
  const faulted = memory();
  // Keep the kernel alive until after the measurement.
  if (inst.kernel.processes.size === 0) throw new Error("unreachable");
  return { check: "footprint", policy, machineBytes, faultedBytes, pages: faultedBytes / PAGE_SIZE, before, machine, faulted };
}

function create(c: DependencyContainer, policy: string, scale: number): ModelChildResult {
  const machineBytes = scaled(64 * GiB, scale);
  const ms: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = now();
    const inst = kernel(c, policy, machineBytes);
    ms.push((now() - t0) / 1e6);
    if (inst.kernel.frames.nrFrames === 0) throw new Error("unreachable");
    gc();
  }
  return { check: "create", policy, machineBytes, ms };
}

function touchNs(c: DependencyContainer, policy: string, bytes: number): number {
  const inst = kernel(c, policy, bytes + 64 * MiB);
  const p = inst.kernel.spawn("p");
  const addr = doMmap(inst.kernel, p, { length: bytes, prot: VM_READ | VM_WRITE, shared: false, anonymous: true });
  const t0 = now();
  const r = touchRange(inst.kernel, p, addr, bytes, true);
  const dt = now() - t0;
  if (r < 0) throw new Error(`touch of ${bytes} bytes failed: ${r}`);
  return dt / (bytes / PAGE_SIZE);
}

function touch(c: DependencyContainer, policy: string, scale: number): ModelChildResult {
  const smallBytes = 16 * MiB;
  const largeBytes = Math.max(smallBytes, scaled(4 * GiB, scale));
  for (let i = 0; i < 3; i++) touchNs(c, policy, smallBytes);
  const small: number[] = [];
  for (let i = 0; i < 7; i++) small.push(touchNs(c, policy, smallBytes));
  gc();
  const large = [touchNs(c, policy, largeBytes)];
  gc();
  large.push(touchNs(c, policy, largeBytes));
  return { check: "touch", policy, small: { bytes: smallBytes, nsPerPage: small }, large: { bytes: largeBytes, nsPerPage: large } };
}

function scenario(c: DependencyContainer, policy: string, scale: number): ModelChildResult {
  const steps = Math.max(100, Math.round(10_000 * scale));
  const text = scenarioText(steps);
  const t0 = now();
  const loaded = loadScenario(text, "generated-10000-steps.yaml", pluginView(c));
  const loadMs = (now() - t0) / 1e6;
  const runMs: number[] = [];
  let failedSteps = 0;
  for (let i = 0; i < 3; i++) {
    const t1 = now();
    const report = runScenario(loaded, { container: c, policy });
    runMs.push((now() - t1) / 1e6);
    failedSteps = report.results[0].steps.filter((s) => !s.ok || s.expectations.some((e) => !e.pass)).length;
  }
  return { check: "scenario", policy, steps: loaded.steps.length, loadMs, runMs, failedSteps };
}

function events(c: DependencyContainer, policy: string, scale: number): ModelChildResult {
  const pages = Math.max(64, Math.round(1024 * scale));
  const bytes = pages * PAGE_SIZE;
  const inst = kernel(c, policy, 256 * MiB);
  const k = inst.kernel;
  const seen: KernelEvent[] = [];
  k.events.onAny((e) => seen.push(e));
  const calls: { op: string; pages: number; ownType: string; ownEvents: number; allEvents: number }[] = [];
  const measure = (op: string, ownType: string, fn: () => void) => {
    seen.length = 0;
    fn();
    calls.push({ op, pages, ownType, ownEvents: seen.filter((e) => e.type === ownType).length, allEvents: seen.length });
  };
  const p = k.spawn("p");
  let addr = 0;
  measure("mmap (populate)", "mmap", () => {
    addr = doMmap(k, p, { length: bytes, prot: VM_READ | VM_WRITE, shared: false, anonymous: true, populate: true });
  });
  const anon = doMmap(k, p, { length: bytes, prot: VM_READ | VM_WRITE, shared: false, anonymous: true });
  measure("touch", "fault", () => void touchRange(k, p, anon, bytes, true));
  const frames = new Uint32Array(pages);
  measure("pin_user_pages_fast", "gup", () => void inst.gup.pinUserPagesFast(p, addr, pages, FOLL_WRITE, frames));
  measure("unpin_user_pages", "release", () => inst.gup.unpinUserPages(frames, pages));
  const fresh = doMmap(k, p, { length: bytes, prot: VM_READ | VM_WRITE, shared: false, anonymous: true });
  measure("get_user_pages (faulting in)", "gup", () => void inst.gup.getUserPages(p, fresh, pages, FOLL_WRITE, frames));
  measure("put_page (many)", "release", () => inst.gup.putPages(frames, pages));
  const file = k.createFile("f", "ext4", bytes);
  const fm = doMmap(k, p, { length: bytes, prot: VM_READ | VM_WRITE, shared: true, anonymous: false, file });
  userWrite(k, p, fm, new Uint8Array(bytes).fill(1));
  measure("writeback", "writeback", () => void writeback(k, file));
  measure("migrate", "migrate", () => void migrateRange(k, p.pid, addr, bytes));
  measure("fork", "fork", () => void doFork(k, p, "child"));
  measure("ftruncate", "truncate", () => void doTruncate(k, file, 0));
  measure("munmap", "munmap", () => void doMunmap(k, p, anon, bytes));
  return { check: "events", policy, calls };
}

const CHECKS: Record<ModelCheck, (c: DependencyContainer, policy: string, scale: number) => ModelChildResult> = {
  "pin-order0": pinOrder0, "unpin-order0": unpinOrder0, huge, call, "scenario-100k": scenario100k, "scenario-100k-invariants": scenario100kInvariants,
  footprint, create, touch, scenario, events,
};

async function main(): Promise<void> {
  const [name, json] = process.argv.slice(2);
  const args = JSON.parse(json ?? "{}") as ModelChildArgs;
  const check = CHECKS[name as ModelCheck];
  if (check === undefined) throw new Error(`unknown model check "${name}"`);
  const c = await pluginContainer(args.plugins);
  const known = listPolicies(c).map((p) => p.meta.id);
  const policy = args.policy ?? (known.includes(DEFAULT_POLICY) ? DEFAULT_POLICY : known[0]);
  if (policy === undefined) throw new Error("no pin policy is registered");
  const result = check(c, policy, args.scale ?? 1);
  process.send?.({ ok: true, result });
}

main().catch((e: unknown) => {
  const err = e instanceof Error ? e : new Error(String(e));
  process.send?.({ ok: false, error: `${err.name}: ${err.message}`, stack: err.stack });
  process.exitCode = 1;
});
