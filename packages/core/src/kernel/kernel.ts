import { DevPagemaps } from "../mm/memremap.js";
import type { ThpSettings } from "../config/thp-config.js";
import { inject, injectable } from "tsyringe";
import { CONFIG, type KernelConfig } from "../config/kernel-config.js";
import { EEXIST, EINVAL, ENOENT, KernelError } from "../errno.js";
import { EVENTS, type EventBus } from "../events/event-bus.js";
import { FILESYSTEMS, type FsTypeName } from "../fs/fs-type.js";
import { Inode, MAX_FILE_BYTES } from "../fs/inode.js";
import { truncateInodePagesFinal } from "../fs/truncate.js";
import type { FrameTable } from "../memory/frame-table.js";
import { MEMORY, type PhysicalMemory } from "../memory/physical-memory.js";
import type { ObserverCall } from "../mm/context.js";
import { AnonVma, MmStruct, type Vma } from "../mm/mm-types.js";
import { Process } from "../mm/process.js";
import { DEFAULT_UID, MAX_UID, UserStruct } from "../mm/user-struct.js";
import { SwapInfo } from "../mm/swapfile.js";
import { VmStat } from "../mm/vmstat.js";
import { NOTIFIERS, type MmuNotifiers } from "../notifier/mmu-notifiers.js";
import { ACTIVE_POLICY, type PinPolicy } from "../policy/pin-policy.js";
import type { EraRules, KernelEra } from "../era/era-rules.js";
import { KERNEL_ERA } from "../era/era-token.js";
import { CLOCK, type VirtualClock } from "../sim/clock.js";
import { RNG, type Rng } from "../sim/rng.js";
import { FAULTS, type FaultInjector } from "../sim/fault-injection.js";
import { HPAGE_PMD_SIZE } from "../sim/units.js";
import type { KernelContext } from "./context.js";
import { KERNEL_OBSERVER_HOOKS, type KernelObserver } from "./hooks.js";
import { ObserverList } from "./observer-list.js";
import { Preemption } from "../sim/preemption.js";

/** Options of a new file. */
export interface CreateFileOptions {
  /** True for the internal file behind a shared anonymous or anonymous hugetlb mapping. */
  readonly internal?: boolean;
}

/**
 * One simulated machine: physical memory, processes, files, the active pin policy, the clock and
 * the event bus. Built by `createKernel()` in its own DI child container, so kernels never share
 * state. The operations (mmap, faults, fork, writeback, truncate, migration...) live in their own
 * modules as functions whose first argument is the context their layer declares
 * (`MmContext`, `FsContext`, `MigrateContext`, {@link KernelContext}); this class implements
 * them all, and scenarios and tests pass it where a context is asked for.
 */
@injectable()
export class Kernel implements KernelContext {
  /** The frame table (shortcut for `memory.frames`). */
  readonly frames: FrameTable;
  /** Processes by pid (dead ones stay, with `alive = false`). */
  readonly processes = new Map<number, Process>();
  /** Files by name. */
  readonly files = new Map<string, Inode>();
  /** Files by inode id (for the rmap walk). */
  readonly inodes = new Map<number, Inode>();
  /** anon_vmas by id (for the rmap walk). */
  readonly anonVmas = new Map<number, AnonVma>();
  /** Kernel counters. */
  readonly vmstat = new VmStat();
  /** Observers (the hazard oracle, the bench's ledger, tests), with one list per hook. */
  readonly observers = new ObserverList<KernelObserver>(KERNEL_OBSERVER_HOOKS);
  /** The users by uid (`uidhash_table`, kernel/user.c, v6.12): created on first use, never freed. */
  readonly users = new Map<number, UserStruct>();
  /** The swap device (`swapon()` at boot of a `machine.swap` area), or null without one. */
  readonly swap: SwapInfo | null;
  /** ZONE_DEVICE pagemaps (`memremap_pages()`, mm/memremap.c, v6.12) of the machine's `device_memory`. */
  readonly pgmaps: DevPagemaps;
  /** (2.0) The rules of the era the machine runs (`kernelEra.rules`). */
  readonly era: EraRules;
  /** (issue 21) The preemption points (no-ops until the scenario runner installs a handler). */
  readonly preempt = new Preemption();
  private readonly byName = new Map<string, Process>();
  private nextPid = 1;
  private nextId = 1;

  /** Assemble a kernel from its services (done by `createKernel`). */
  constructor(
    @inject(CONFIG) readonly config: KernelConfig,
    @inject(CLOCK) readonly clock: VirtualClock,
    @inject(RNG) readonly rng: Rng,
    @inject(EVENTS) readonly events: EventBus,
    @inject(MEMORY) readonly memory: PhysicalMemory,
    @inject(NOTIFIERS) readonly notifiers: MmuNotifiers,
    @inject(ACTIVE_POLICY) readonly policy: PinPolicy,
    @inject(FAULTS) readonly faults: FaultInjector,
    @inject(KERNEL_ERA) readonly kernelEra: KernelEra,
  ) {
    this.era = kernelEra.rules;
    this.frames = memory.frames;
    this.swap = config.machine.swap > 0 ? new SwapInfo(config.machine.swap) : null;
    this.pgmaps = new DevPagemaps(memory);
  }

  /** The machine's THP settings (`machine.thp`). */
  get thp(): ThpSettings {
    return this.config.machine.thp;
  }

  /** A fresh kernel-unique id for inodes, anon_vmas and mms. */
  newId(): number {
    return this.nextId++;
  }

  /**
   * Create a process with an empty mm (`execve` of a fresh program), running as user `uid`
   * (default {@link DEFAULT_UID}, so processes share one user unless told otherwise) with an
   * RLIMIT_MEMLOCK of `memlock` bytes (default: the machine's). Names must be unique.
   */
  spawn(name: string, opts: { memlock?: number; uid?: number } = {}): Process {
    if (this.byName.has(name)) throw new KernelError(EEXIST, `a process named "${name}" already exists`);
    if (opts.memlock !== undefined && !(opts.memlock >= 0)) throw new KernelError(EINVAL, `process "${name}": RLIMIT_MEMLOCK must be a non-negative number of bytes, got ${opts.memlock}`);
    const uid = opts.uid ?? DEFAULT_UID;
    if (!Number.isInteger(uid) || uid < 0 || uid > MAX_UID) throw new KernelError(EINVAL, `process "${name}": a uid is a whole number from 0 to ${MAX_UID}, got ${uid}`);
    const pid = this.nextPid++;
    const memlock = opts.memlock ?? this.config.machine.memlock ?? Infinity;
    const proc = new Process(pid, name, new MmStruct(this.newId(), pid, memlock));
    proc.user = this.allocUid(uid);
    this.addProcess(proc);
    this.events.emit("process", { pid, name });
    return proc;
  }

  /**
   * Register a process: one made by `spawn`, or the child of a fork, which runs as its parent's
   * user (`copy_creds()` -> `prepare_creds()`, kernel/cred.c, v6.12: the child's new cred keeps
   * the parent's `user`).
   */
  addProcess(proc: Process): void {
    const parent = proc.parent !== undefined ? this.processes.get(proc.parent) : undefined;
    if (parent !== undefined && (proc.user as UserStruct | undefined) === undefined) proc.user = parent.user;
    this.processes.set(proc.pid, proc);
    this.byName.set(proc.name, proc);
  }

  /** The user_struct of `uid`, created on first use (`alloc_uid()`, kernel/user.c, v6.12). */
  allocUid(uid: number): UserStruct {
    let user = this.users.get(uid);
    if (user === undefined) {
      user = new UserStruct(uid);
      this.users.set(uid, user);
    }
    return user;
  }

  /** Allocate the next pid (for fork). */
  allocPid(): number {
    return this.nextPid++;
  }

  /** The process named `name`; throws ENOENT if there is none. */
  process(name: string): Process {
    const p = this.byName.get(name);
    if (p === undefined) throw new KernelError(ENOENT, `no process named "${name}"`);
    return p;
  }

  /** The process named `name`, or undefined. */
  findProcess(name: string): Process | undefined {
    return this.byName.get(name);
  }

  /** The mm of a live process by pid. */
  mmOf(pid: number): MmStruct | undefined {
    const p = this.processes.get(pid);
    return p?.alive ? (p.mm ?? undefined) : undefined;
  }

  /**
   * Create a file of `size` bytes on a filesystem type. Throws EEXIST for a taken name, EINVAL for
   * an unknown filesystem or a size that is not a whole number of bytes up to {@link MAX_FILE_BYTES}
   * (for hugetlbfs, a whole number of huge pages, as `hugetlbfs_setattr` requires).
   */
  createFile(name: string, fs: FsTypeName, size: number, opts: CreateFileOptions = {}): Inode {
    if (this.files.has(name)) throw new KernelError(EEXIST, `a file named "${name}" already exists`);
    const type = Object.prototype.hasOwnProperty.call(FILESYSTEMS, fs) ? FILESYSTEMS[fs] : undefined;
    if (type === undefined) throw new KernelError(EINVAL, `unknown filesystem type "${fs}" (use ${Object.keys(FILESYSTEMS).join(", ")})`);
    if (!Number.isSafeInteger(size) || size < 0 || size > MAX_FILE_BYTES) {
      throw new KernelError(EINVAL, `file "${name}": size must be a whole number of bytes from 0 to 16TiB, got ${size}`);
    }
    if (type.huge && size % HPAGE_PMD_SIZE !== 0) throw new KernelError(EINVAL, `file "${name}": a hugetlbfs size must be a multiple of 2MiB, got ${size}`);
    const inode = new Inode(this.newId(), name, type, size, opts.internal ?? false);
    this.files.set(name, inode);
    this.inodes.set(inode.id, inode);
    return inode;
  }

  /** The file named `name`; throws ENOENT if there is none. */
  file(name: string): Inode {
    const f = this.files.get(name);
    if (f === undefined) throw new KernelError(ENOENT, `no file named "${name}"`);
    return f;
  }

  /** The anon_vma of `vma`, created on first need (`anon_vma_prepare()`, include/linux/rmap.h, v6.12). */
  anonVmaPrepare(vma: Vma): AnonVma {
    if (vma.anonVma === null) {
      const av = new AnonVma(this.newId());
      av.vmas.add(vma);
      this.anonVmas.set(av.id, av);
      vma.anonVma = av;
    }
    return vma.anonVma;
  }

  /**
   * Detach `vma` from its anon_vma and file (`unlink_anon_vmas()`, mm/rmap.c; `unlink_file_vma()`, mm/vma.c; v6.12), for a VMA
   * that goes away. The internal file behind a shared anonymous or MAP_HUGETLB mapping lives only
   * as long as its mappings: when the last one goes, the final fput evicts it
   * (`shmem_evict_inode` -> `truncate_inode_pages_final`) and its pages are freed.
   */
  unlinkVma(vma: Vma): void {
    const av = vma.anonVma;
    if (av !== null) {
      av.vmas.delete(vma);
      if (av.vmas.size === 0) this.anonVmas.delete(av.id);
    }
    const file = vma.file;
    if (file === null) return;
    file.mappings.delete(vma);
    if (file.internal && file.mappings.size === 0) {
      const inode = this.inodes.get(file.id)!;
      truncateInodePagesFinal(this, inode);
      this.files.delete(inode.name);
      this.inodes.delete(inode.id);
    }
  }

  /** Attach `vma` to its anon_vma and file. */
  linkVma(vma: Vma): void {
    if (vma.anonVma !== null) {
      vma.anonVma.vmas.add(vma);
      this.anonVmas.set(vma.anonVma.id, vma.anonVma);
    }
    vma.file?.mappings.add(vma);
  }

  /** Tell every observer that implements the hook something (only those: the list is per hook). */
  observe(...call: ObserverCall<KernelObserver>): void {
    const hook = call[0];
    const list = this.observers.of(hook);
    if (list.length === 0) return;
    // Each hook with exactly the arguments given (no copy of them for the common arities).
    const a = call as unknown as readonly unknown[];
    for (let i = 0; i < list.length; i++) {
      const o = list[i]!;
      const fn = o[hook] as (...args: unknown[]) => void;
      switch (a.length) {
        case 2: fn.call(o, a[1]); break;
        case 3: fn.call(o, a[1], a[2]); break;
        case 4: fn.call(o, a[1], a[2], a[3]); break;
        case 5: fn.call(o, a[1], a[2], a[3], a[4]); break;
        default: fn.apply(o, a.slice(1));
      }
    }
  }

  /** {@inheritDoc MmContext.internalFileSetup} */
  internalFileSetup(fs: "shmem" | "hugetlbfs", size: number, hugetlbOrder?: number): Inode {
    const inode = this.createFile(`[anon:${this.newId()}]`, fs, size, { internal: true });
    inode.hugetlbOrder = hugetlbOrder;
    return inode;
  }
}

