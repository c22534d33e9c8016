/**
 * Each scenario step as the host runs it (issue 20): the real system call, or why there is none.
 * A step is planned before the model runs it (its addresses resolve against the names bound so
 * far) and run on the host after (an mmap goes where the model put it, so every later address is
 * the same on both). docs/guides/07-model-fidelity.md has the table of equivalents.
 * @module
 */
import { existsSync, writeFileSync } from "node:fs";
import type { RunContext, Step, StepOf } from "@pinlab/core";
import type { AgentClient } from "./agent-client.js";
import { attempt, dataHex, hexText, type HostPlan } from "./host-outcome.js";
import { hexAddr, type HostSession } from "./host-session.js";
import { hostSwapDevices } from "./host-machine.js";
import { deviceStep } from "./host-device-steps.js";

const PROT_LETTERS: Record<string, string> = { read: "r", write: "w", exec: "x" };

/** A `prot` list as the agent's letters (`rw`, `none`). */
export function protLetters(prot: readonly string[]): string {
  const s = ["read", "write", "exec"].filter((p) => prot.includes(p)).map((p) => PROT_LETTERS[p]).join("");
  return s === "" ? "none" : s;
}

/** Skip when the process has exited (or never was): the model answers ESRCH or a step error. */
function liveAgent(s: HostSession, proc: string): AgentClient | string {
  return s.agent(proc) ?? `process "${proc}" is not running on the host`;
}

/** Plan the step `ctx.index` of the scenario on the host. */
export function planStep(s: HostSession, ctx: RunContext): HostPlan {
  const step = ctx.scenario.steps[ctx.index] as Step;
  const addr = (v: unknown, field: string) => ctx.bindings.addr(v, field);
  try {
    switch (step.op) {
      case "mmap": return planMmap(s, ctx, step);
      case "munmap": case "mprotect": case "madvise": case "touch": case "write": case "read": case "proc_mem_read": case "proc_mem_write": {
        const at = addr(step.addr, "addr");
        const dead = s.deadAt(at);
        return dead !== undefined ? { skip: `the mapping there is not on this host: ${dead}` } : planRange(s, step, at, ctx);
      }
      case "mremap": {
        const at = addr(step.addr, "addr");
        const dead = s.deadAt(at);
        return dead !== undefined ? { skip: `the mapping there is not on this host: ${dead}` } : planMremap(s, step, at);
      }
      case "fork": {
        const a = liveAgent(s, step.proc);
        if (typeof a === "string") return { skip: a };
        return { run: () => attempt(async () => {
          const { child, pid } = await a.fork();
          s.agents.set(step.child, child);
          s.pids.push(pid);
          return {};
        }) };
      }
      case "exit": {
        const a = liveAgent(s, step.proc);
        if (typeof a === "string") return { skip: a };
        return { run: async () => {
          s.agents.delete(step.proc);
          for (const [name, h] of s.handles) if (h.proc === step.proc) s.handles.delete(name);
          await a.close();
          return { ran: true, errno: null };
        } };
      }
      case "gup": case "release": case "peek": case "poke": case "device":
        return deviceStep(s, ctx, step);
      case "writeback": case "ftruncate": case "punch_hole":
        return planFileStep(s, step);
      case "check": return { run: async () => ({ ran: true, errno: null }) };
      case "advance": case "settle":
        return { skip: "the host has no virtual clock: its IO completed within the step that started it" };
      case "dump": return { skip: "the model's state (on the host, pagemap and kpageflags answer the expectations)" };
      case "lease": return { skip: "F_LAYOUT leases (the vaddr_pin RFC, 2019) were never merged: no kernel has them" };
      case "reclaim": return { skip: "the host cannot reclaim one file's pages on demand (reclaim runs under memory pressure, for the whole machine)" };
      case "compact": return { skip: "compaction on the host (/proc/sys/vm/compact_memory) runs over the whole machine, its counts are global, and it has no movable or CMA zone of the scenario's" };
      case "migrate": return { skip: "move_pages(2) to the node a page is on does not move it, and this host has one NUMA node" };
      case "cma_alloc": return { skip: "cma_alloc is a kernel-internal call (no user API)" };
      case "khugepaged": return { skip: "khugepaged runs on its own schedule on the host; one pass cannot be asked for" };
      case "split": return planSplit(s, step, addr(step.addr, "addr"));
    }
  } catch (e) {
    return { skip: `its address does not resolve in the model: ${(e as Error).message}` };
  }
  return { skip: `op "${(step as { op: string }).op}" has no host equivalent` };
}

function planMmap(s: HostSession, ctx: RunContext, step: StepOf<"mmap">): HostPlan {
  const a = liveAgent(s, step.proc);
  if (typeof a === "string") return { skip: a };
  if (step.flags.includes("pfnmap")) return { skip: "a VM_PFNMAP mapping is a driver's mmap (remap_pfn_range); no file here offers one" };
  const asked = step.addr !== undefined ? ctx.bindings.addr(step.addr, "addr") : step.after !== undefined ? ctx.bindings.mappingEnd(step.after, "after") : undefined;
  let path: string | undefined;
  if (step.file !== undefined) {
    const f = s.files.get(step.file);
    if ("missing" in f) return { skip: `file "${step.file}": ${f.missing}` };
    path = f.path;
  }
  const fileKind = step.file !== undefined ? ctx.scenario.header.files.find((f) => f.name === step.file)?.fs : undefined;
  const huge = step.flags.includes("hugetlb") || fileKind === "hugetlbfs";
  const hugeBytes = step.hugetlb ?? 2 * 1024 * 1024;
  return { run: async (model) => {
    // 2 MiB pages: room for the mapping and a copy of each page (a COW fault, a fork copying a pinned page); the 1 GiB pool is machine.hugetlb_1g, set up front.
    if (huge && hugeBytes < 2 ** 30) {
      const why = s.pools.ensureFree(hugeBytes, Math.ceil(step.length / hugeBytes) * (step.flags.includes("shared") ? 1 : 2), s.facts.root);
      if (why !== undefined) s.caveats.push({ text: `step ${ctx.index} (mmap): ${why}`, step: ctx.index, procs: [step.proc] });
    }
    const placed = model.errno === undefined && model.error === undefined && typeof model.result === "number";
    const where: Record<string, string> = placed ? { addr: hexAddr(model.result as number), fixed: step.fixed === true ? "fixed" : "noreplace" }
      : asked !== undefined ? { addr: hexAddr(asked), fixed: step.fixed === true ? "fixed" : step.fixed === false ? "hint" : "noreplace" } : {};
    const backing = path !== undefined ? { backing: "file", path, grow: false, ...(step.offset !== undefined ? { offset: step.offset } : {}) } : { backing: "anon" };
    return attempt(async () => {
      const r = await s.ask(a, {
        op: "mmap", length: step.length, prot: protLetters(step.prot), flags: step.flags.includes("shared") ? "shared" : "private", ...backing, ...where,
        ...(step.flags.includes("populate") ? { populate: true } : {}),
        ...(step.flags.includes("hugetlb") && path === undefined ? { hugetlb: hugeBytes >= 2 ** 30 ? "1GiB" : "2MiB" } : {}),
      });
      const at = Number(BigInt(r["addr"] as string));
      s.mappings.push({ start: at, end: at + step.length, kind: fileKind ?? "anon", shared: step.flags.includes("shared") });
      if (step.flags.includes("dontcopy")) await s.ask(a, { op: "madvise", addr: hexAddr(at), length: step.length, advice: "dontfork" });
      return { result: at, ...(step.flags.includes("dontcopy") ? { approx: "dontcopy as madvise(MADV_DONTFORK) after mmap" } : {}) };
    });
  } };
}

function planRange(s: HostSession, step: StepOf<"munmap" | "mprotect" | "madvise" | "touch" | "write" | "read" | "proc_mem_read" | "proc_mem_write">, at: number, ctx: RunContext): HostPlan {
  const a = liveAgent(s, step.proc);
  if (typeof a === "string") return { skip: a };
  const addr = hexAddr(at);
  switch (step.op) {
    case "munmap": return { run: () => attempt(async () => (await s.ask(a, { op: "munmap", addr, length: step.length }), {})) };
    case "mprotect": return { run: () => attempt(async () => (await s.ask(a, { op: "mprotect", addr, length: step.length, prot: protLetters(step.prot) }), {})) };
    case "madvise":
      if (step.advice === "pageout" && (ctx.scenario.header.machine.swap ?? 0) > 0 && hostSwapDevices() === 0) {
        return { skip: "the scenario has swap; this host has none (/proc/swaps lists no device)" };
      }
      return { run: () => attempt(async () => (await s.ask(a, { op: "madvise", addr, length: step.length, advice: step.advice }), {})) };
    case "touch": return { run: () => attempt(async () => (await s.ask(a, { op: "touch", addr, length: step.length, write: step.write }), { resultWhy: "the host does not count the faults of one access" })) };
    case "write": return { run: () => attempt(async () => (await s.ask(a, { op: "write", addr, hex: dataHex(step.data) }), {})) };
    case "read": return { run: () => attempt(async () => ({ result: hexText((await s.ask(a, { op: "read", addr, length: step.length }))["hex"] as string) })) };
    case "proc_mem_read": return { run: () => attempt(async () => ({ result: hexText((await s.ask(a, { op: "proc_mem_read", addr, length: step.length }))["hex"] as string) })) };
    case "proc_mem_write":
      if (step.race !== undefined) return { skip: "the race window (a MADV_DONTNEED between the COW fault and the retried lookup) cannot be forced from user space" };
      return { run: () => attempt(async () => ({ result: (await s.ask(a, { op: "proc_mem_write", addr, hex: dataHex(step.data) }))["written"] })) };
  }
}

function planMremap(s: HostSession, step: StepOf<"mremap">, at: number): HostPlan {
  const a = liveAgent(s, step.proc);
  if (typeof a === "string") return { skip: a };
  return { run: async (model) => attempt(async () => {
    const moved = model.errno === undefined && typeof model.result === "number" && model.result !== at;
    const r = await s.ask(a, {
      op: "mremap", addr: hexAddr(at), old_length: step.old_length, new_length: step.new_length,
      maymove: step.flags.includes("maymove") || moved, fixed: step.flags.includes("fixed") || moved, dontunmap: step.flags.includes("dontunmap"),
      ...(moved ? { new_addr: hexAddr(model.result as number) } : {}),
    });
    const addr = Number(BigInt(r["addr"] as string));
    return moved && !step.flags.includes("fixed") ? { result: addr, approx: "moved to where the model put it (MREMAP_FIXED)" } : { result: addr };
  }) };
}


function planFileStep(s: HostSession, step: StepOf<"writeback" | "ftruncate" | "punch_hole">): HostPlan {
  const names = step.op === "writeback" && step.file === undefined ? [...s.files.paths().keys()] : [step.file as string];
  const paths: string[] = [];
  for (const n of names) {
    const f = s.files.get(n);
    if ("missing" in f) return { skip: `file "${n}": ${f.missing}` };
    paths.push(f.path);
  }
  const who = "proc" in step && step.proc !== undefined ? s.agent(step.proc) : undefined;
  const agent = () => who ?? s.utility();
  switch (step.op) {
    case "writeback":
      return { run: () => attempt(async () => {
        for (const path of paths) await s.ask(agent(), { op: step.async ? "sync_range" : "fsync", path });
        return { resultWhy: "fsync does not say how many pages it wrote" };
      }) };
    case "ftruncate": return { run: () => attempt(async () => (await s.ask(agent(), { op: "ftruncate", path: paths[0]!, size: step.size }), {})) };
    case "punch_hole": return { run: () => attempt(async () => (await s.ask(agent(), { op: "punch", path: paths[0]!, offset: step.offset, length: step.length }), {})) };
  }
}

/**
 * `split`: debugfs `split_huge_pages` (mm/huge_memory.c split_huge_pages_write, v6.12), written
 * `PID,0xSTART,0xEND,ORDER` for the agent's pid, as root.
 */
function planSplit(s: HostSession, step: StepOf<"split">, at: number): HostPlan {
  const a = liveAgent(s, step.proc);
  if (typeof a === "string") return { skip: a };
  const dir = s.machine.debugfsDir(s.facts.root);
  if (typeof dir !== "string") return { skip: dir.missing };
  const file = `${dir}/split_huge_pages`;
  if (!existsSync(file)) return { skip: `${file} is missing (a kernel without CONFIG_TRANSPARENT_HUGEPAGE)` };
  return { run: async () => {
    const pid = ((await s.ask(a, { op: "hello" })) as { pid: number }).pid;
    try {
      writeFileSync(file, `${pid},${hexAddr(at)},${hexAddr(at + step.length)},${step.order}`);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? "EIO";
      // Kernel lockdown refuses every debugfs write (security/lockdown: "debugfs access is restricted").
      if (code === "EPERM") return { ran: false, reason: `${file} refused the write (EPERM): the kernel is locked down (debugfs access is restricted)` };
      return { ran: true, errno: code };
    }
    return { ran: true, errno: null, resultWhy: "split_huge_pages reports its counts in the kernel log only" };
  } };
}

