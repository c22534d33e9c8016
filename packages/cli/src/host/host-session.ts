/**
 * One scenario's run on the host (issue 20): an agent per live process, the files, the hugetlb
 * pools grown for it, and what stands for each gup handle and device region (an io_uring ring
 * with a registered buffer, or a pipe holding vmsplice'd pages). {@link HostSession.close} undoes
 * everything it set up.
 * @module
 */
import type { LoadedScenario } from "@pinlab/core";
import { AgentCallError, AgentClient } from "./agent-client.js";
import type { HostFacts } from "./host-facts.js";
import { HostFiles, type FileKind } from "./host-files.js";
import { HugetlbPools } from "./hugetlb-pool.js";
import { HostMachine } from "./host-machine.js";
import { readPinCounters, readVmstat, type PinCounters } from "./vmstat.js";
import { readFileSync } from "node:fs";

/** A request to the agent: its op and flat fields (the protocol module validates the answer). */
export type AgentAsk = { readonly op: string } & Record<string, string | number | boolean>;

/** What stands on the host for a gup handle or a device region. */
export interface HostHandle {
  /** `ring`: an io_uring ring whose buffer 0 is the range (FOLL_PIN, long-term, writable); `pipe`: a pipe holding vmsplice'd pages (FOLL_GET). */
  readonly kind: "ring" | "pipe";
  /** The agent's id of the ring or pipe. */
  readonly id: number;
  /** The process (agent) that holds it. */
  readonly proc: string;
  /** The range's start and length. */
  readonly addr: number;
  /** The range's length in bytes. */
  readonly length: number;
  /** The frames taken, per page, read from pagemap right after (root only; 0 = unknown). */
  readonly pfns: readonly number[];
}

/** Process `pid` exists and is not a zombie (an orphaned agent whose reaper does not reap has already let its memory go). */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

/** Something the host did not do as the model did: setup (no step), or a step not run or run approximately, with the processes it concerns. */
export interface Caveat {
  /** What, as the report shows it. */
  readonly text: string;
  /** The step (absent for setup). */
  readonly step?: number;
  /** The processes the step concerns (absent: all). */
  readonly procs?: readonly string[];
}

/**
 * The caveats that may explain a difference at step `step` of an expectation about `procs` (empty:
 * not about a process): setup ones, the step's own, and earlier steps' about the same processes;
 * the last three.
 */
export function relevantCaveats(caveats: readonly Caveat[], step: number, procs: readonly string[]): string[] {
  return caveats.filter((c) => c.step === undefined || c.step === step || c.procs === undefined || procs.length === 0 || c.procs.some((p) => procs.includes(p)))
    .slice(-3).map((c) => c.text);
}

/** `0x` and lowercase hex, as the agent takes addresses. */
export function hexAddr(n: number): string {
  return `0x${n.toString(16)}`;
}

/** The state of one scenario on the host. */
export class HostSession {
  /** Sessions set up and not yet closed (a signal handler closes them: the machine is put back even on Ctrl-C). */
  static readonly active = new Set<HostSession>();

  /** Agents by live process name. */
  readonly agents = new Map<string, AgentClient>();
  /** Pids of forked agents (not children of this process), waited for at close. */
  readonly pids: number[] = [];
  /** Gup handles and device regions by name. */
  readonly handles = new Map<string, HostHandle>();
  /** The scenario's files. */
  readonly files: HostFiles;
  /** Hugetlb pools grown for the scenario. */
  readonly pools = new HugetlbPools();
  /** The pin counters when the scenario's steps began. */
  pins0: PinCounters | undefined;
  /** `/proc/vmstat` when the scenario's steps began. */
  vmstat0 = new Map<string, number>();
  /** Machine settings (THP, swap) applied for the scenario. */
  readonly machine = new HostMachine();
  /** Model address ranges whose mapping the host does not have (its mmap did not run or failed there), with why. */
  readonly dead: { start: number; end: number; why: string }[] = [];
  /** Mappings the host made, by model address: the file kind behind each (`anon` for none) and whether shared. */
  readonly mappings: { start: number; end: number; kind: string; shared: boolean }[] = [];
  /** Steps the host did not run or ran approximately, as `step N (op): why`, for explaining later disagreements. */
  readonly caveats: Caveat[] = [];
  private util: AgentClient | undefined;

  /** A session on `facts`' host with the agent binary at `agentPath`. */
  constructor(readonly loaded: LoadedScenario, readonly facts: HostFacts, readonly agentPath: string, cwd: string, private readonly timeoutMs = 10_000) {
    this.files = new HostFiles(facts.root, cwd);
  }

  /** Create the files and spawn an agent per declared process; then read the counters the deltas start from. */
  async setUp(): Promise<void> {
    HostSession.active.add(this);
    const m = this.loaded.header.machine;
    const root = this.facts.root;
    const note = (why: string | undefined) => {
      if (why !== undefined) this.caveats.push({ text: `setup: ${why}` });
    };
    for (const f of this.loaded.header.files) this.files.create(f.name, f.fs as FileKind, f.size);
    note(this.machine.applyThp(m.thp, root));
    if ((m.swap ?? 0) > 0) note(this.machine.addSwap(m.swap!, this.files.swapDir(), root));
    if ((m.hugetlb_1g ?? 0) > 0) note(this.pools.ensureFree(2 ** 30, m.hugetlb_1g!, root, true));
    if (m.faults !== undefined) note("the model injects faults (machine.faults); the host injects none");
    const memlock = m.memlock !== undefined || this.loaded.header.processes.some((p) => typeof p !== "string" && p.memlock !== undefined);
    const zones = [m.movable !== undefined ? "ZONE_MOVABLE" : undefined, m.cma !== undefined ? "a CMA area" : undefined].filter((z) => z !== undefined);
    if (zones.length > 0) note(`the model's machine has ${zones.join(" and ")}, which a long-term pin migrates out of; the host's user pages are where its kernel put them`);
    if (memlock && root) note("RLIMIT_MEMLOCK is not enforced: the agent runs as root, with CAP_IPC_LOCK (io_uring and ib_umem exempt it)");
    for (const p of this.loaded.header.processes) {
      const name = typeof p === "string" ? p : p.name;
      this.agents.set(name, AgentClient.spawn(this.agentPath, { timeoutMs: this.timeoutMs }));
    }
    this.markCounters();
  }

  /** Take the counters the scenario's deltas start from. */
  markCounters(): void {
    this.pins0 = readPinCounters();
    this.vmstat0 = readVmstat();
  }

  /** Why the host has no mapping at model address `addr` (a dead range), or undefined. */
  deadAt(addr: number): string | undefined {
    const d = this.dead.find((r) => addr >= r.start && addr < r.end);
    return d?.why;
  }

  /** True when `[addr, addr + length)` meets a shared mapping of an ext4 file (which refuses a FOLL_LONGTERM writable pin). */
  sharedExt4(addr: number, length: number): boolean {
    return this.mappings.some((m) => m.shared && m.kind === "ext4" && m.start < addr + length && addr < m.end);
  }

  /** The agent of live process `proc`, or undefined. */
  agent(proc: string): AgentClient | undefined {
    return this.agents.get(proc);
  }

  /** An agent for file operations of no process (spawned once). */
  utility(): AgentClient {
    this.util ??= AgentClient.spawn(this.agentPath, { timeoutMs: this.timeoutMs });
    return this.util;
  }

  /** Send `req` to `agent`; the result fields, or throws {@link AgentCallError} when the kernel refused. */
  async ask(agent: AgentClient, req: AgentAsk): Promise<Record<string, unknown>> {
    return (await agent.call(req as never)) as Record<string, unknown>;
  }

  /** The frames of `pages` pages from `addr` in `proc` (0 where not present or unknown); empty without root. */
  async frames(proc: string, addr: number, pages: number): Promise<number[]> {
    const a = this.agent(proc);
    if (a === undefined || !this.facts.root || pages <= 0) return [];
    try {
      const out: number[] = [];
      // The agent answers at most 65536 pages at a time (a 1 GiB region is four asks).
      for (let done = 0; done < pages; done += 65536) {
        const r = (await this.ask(a, { op: "pagemap", addr: hexAddr(addr + done * 4096), pages: Math.min(pages - done, 65536) })) as { pages: { present: boolean; pfn: number }[] };
        for (const p of r.pages) out.push(p.present ? p.pfn : 0);
      }
      return out;
    } catch (e) {
      if (e instanceof AgentCallError) return [];
      throw e;
    }
  }

  /** Close every agent, restore the pools, remove the files; returns the problems met (never throws). */
  async close(): Promise<string[]> {
    HostSession.active.delete(this);
    const problems: string[] = [];
    const all = [...this.agents.values(), ...(this.util !== undefined ? [this.util] : [])];
    this.agents.clear();
    this.util = undefined;
    await Promise.all(all.map((a) => a.close().catch((e: unknown) => problems.push(`closing an agent: ${(e as Error).message}`))));
    // A forked agent exits on its own after `exit`; its memory (a huge page, a pin) goes only when it is gone.
    for (const pid of this.pids.splice(0)) {
      for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 20));
      if (alive(pid)) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // gone meanwhile
        }
      }
    }
    problems.push(...this.machine.restore(), ...(await this.pools.restore()), ...this.files.cleanUp());
    return problems;
  }
}
