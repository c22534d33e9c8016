/**
 * An `hmm-dmirror` device instance: the ioctls of lib/test_hmm.c's `dmirror` (Linux v6.12).
 * @module
 */
import { catchDmaError, DmaError, ENOENT, errnoName, type ActionArgs, type ActionHandlers, type DeviceActionResult, type DeviceContext, type DeviceInstance, type DeviceView, type MmStruct, type MmuIntervalNotifier } from "@pinlab/core";
import { emitDeviceEvent } from "../shared/device-events.js";
import { failed, succeeded } from "../shared/results.js";
import { dmirrorProtName } from "./dmirror-prot.js";
import { dmirrorCheckCmd, dmirrorSnapshot } from "./dmirror-snapshot.js";
import { DmirrorDevmem } from "./dmirror-devmem.js";
import { dmirrorNotifier, dmirrorRead } from "./dmirror-read.js";
import { dmirrorCheckExclusive, dmirrorExclusive } from "./dmirror-exclusive.js";
import { dmirrorWrite } from "./dmirror-write.js";
import { stringToBytes } from "../shared/bytes.js";
import { dmirrorDevmemFault, dmirrorMigrateToDevice, dmirrorMigrateToSystem } from "./dmirror-migrate.js";
import { HMM_DMIRROR_KIND, type dmirrorMigrateFields, type dmirrorSnapshotFields, type dmirrorWriteFields, type hmmDmirrorActions, type HmmDmirrorOptions } from "./hmm-dmirror-meta.js";

/** The HMM test mirror: reads a process's page table the way a device driver does through mm/hmm.c. */
export class HmmDmirrorDevice implements DeviceInstance<typeof hmmDmirrorActions> {
  /** The device name. */
  readonly name: string;
  /** @inheritDoc */
  readonly actions: ActionHandlers<typeof hmmDmirrorActions> = {
    snapshot: (args) => this.snapshot(args),
    read: (args) => this.read(args),
    write: (args) => this.write(args),
    exclusive: (args) => this.exclusive(args),
    check_exclusive: (args) => this.checkExclusive(args),
    migrate_to_dev: (args) => this.migrate(args, true),
    migrate_to_sys: (args) => this.migrate(args, false),
  };
  private snapshots = 0;
  private pagesSnapshotted = 0;
  private migratedToDev = 0;
  private migratedToSys = 0;
  private cpuFaults = 0;
  private readonly mem: DmirrorDevmem;
  private readonly mirrors = new Map<MmStruct, MmuIntervalNotifier>();
  private reads = 0;
  private exclusives = 0;
  private writes = 0;

  /** Build the device from its context. */
  constructor(private readonly ctx: DeviceContext<HmmDmirrorOptions>) {
    this.name = ctx.name;
    this.mem = new DmirrorDevmem(ctx, ctx.options.memory === "coherent" ? "device_coherent" : "device_private", (vmf) => {
      this.cpuFaults++;
      return dmirrorDevmemFault(ctx, this.mem, vmf);
    });
  }

  /** @inheritDoc */
  view(): DeviceView {
    const counters: Record<string, number> = { snapshots: this.snapshots, pagesSnapshotted: this.pagesSnapshotted };
    // These counters appear once the device has device memory, has read or taken exclusive access (older scenarios' views stay as they were).
    if (this.mem.chunkPages > 0 || this.reads > 0 || this.writes > 0 || this.exclusives > 0) {
      Object.assign(counters, {
        reads: this.reads, writes: this.writes, exclusivePages: this.exclusives, devicePages: this.mem.chunkPages, devicePagesInUse: this.mem.inUse, migratedToDev: this.migratedToDev, migratedToSys: this.migratedToSys, cpuFaults: this.cpuFaults,
      });
    }
    return { frames: [], counters };
  }

  /** `HMM_DMIRROR_READ` (`dmirror_read()`, lib/test_hmm.c, v6.12). */
  private read({ proc, addr, npages }: ActionArgs<typeof dmirrorMigrateFields>): DeviceActionResult {
    const bad = dmirrorCheckCmd(proc, addr, npages);
    if (bad !== undefined) return failed(bad.errno, bad.message);
    const mm = proc.mm!;
    const notifier = dmirrorNotifier(this.ctx, this.mem, this.mirrors, mm);
    const r = dmirrorRead(this.ctx, this.mem, notifier, mm, addr, npages);
    emitDeviceEvent(this.ctx, HMM_DMIRROR_KIND, "read", { pid: proc.pid, addr, npages, cpages: r.cpages, faults: r.faults, ...(r.ret < 0 ? { errno: errnoName(r.ret) ?? String(r.ret) } : {}) });
    if (r.ret < 0) return failed(r.ret, `read failed with ${errnoName(r.ret) ?? r.ret} after ${r.cpages} page(s) (dmirror_fault)`);
    this.reads++;
    return succeeded({ cpages: r.cpages, faults: r.faults });
  }

  /** `HMM_DMIRROR_WRITE` (`dmirror_write()`, lib/test_hmm.c, v6.12). */
  private write({ proc, addr, npages, data }: ActionArgs<typeof dmirrorWriteFields>): DeviceActionResult {
    const bad = dmirrorCheckCmd(proc, addr, npages);
    if (bad !== undefined) return failed(bad.errno, bad.message);
    const mm = proc.mm!;
    const notifier = dmirrorNotifier(this.ctx, this.mem, this.mirrors, mm);
    const r = catchDmaError(() => dmirrorWrite(this.ctx, this.mem, notifier, mm, addr, npages, stringToBytes(data)));
    if (r instanceof DmaError) return failed(r.errno, r.message);
    emitDeviceEvent(this.ctx, HMM_DMIRROR_KIND, "write", { pid: proc.pid, addr, npages, cpages: r.cpages, faults: r.faults, ...(r.ret < 0 ? { errno: errnoName(r.ret) ?? String(r.ret) } : {}) });
    if (r.ret < 0) return failed(r.ret, `write failed with ${errnoName(r.ret) ?? r.ret} after ${r.cpages} page(s) (dmirror_fault for write)`);
    this.writes++;
    return succeeded({ cpages: r.cpages, faults: r.faults });
  }

  /** `HMM_DMIRROR_EXCLUSIVE` (`dmirror_exclusive()`, lib/test_hmm.c, v6.12). */
  private exclusive({ proc, addr, npages }: ActionArgs<typeof dmirrorMigrateFields>): DeviceActionResult {
    const bad = dmirrorCheckCmd(proc, addr, npages);
    if (bad !== undefined) return failed(bad.errno, bad.message);
    const mm = proc.mm!;
    // dmirror_fops_open() inserted the mirror's interval notifier: its invalidations revoke the access.
    dmirrorNotifier(this.ctx, this.mem, this.mirrors, mm);
    const r = dmirrorExclusive(this.ctx, this.mem, proc, addr, npages);
    emitDeviceEvent(this.ctx, HMM_DMIRROR_KIND, "exclusive", { pid: proc.pid, addr, npages, cpages: r.cpages, ...(r.ret < 0 ? { errno: errnoName(r.ret) ?? String(r.ret) } : {}) });
    if (r.ret < 0) return failed(r.ret, `exclusive failed with ${errnoName(r.ret) ?? r.ret} (make_device_exclusive_range could not take every page)`);
    this.exclusives += r.cpages;
    return succeeded({ cpages: r.cpages });
  }

  /** `HMM_DMIRROR_CHECK_EXCLUSIVE` (`dmirror_check_atomic()`, lib/test_hmm.c, v6.12). */
  private checkExclusive({ proc, addr, npages }: ActionArgs<typeof dmirrorMigrateFields>): DeviceActionResult {
    const bad = dmirrorCheckCmd(proc, addr, npages);
    if (bad !== undefined) return failed(bad.errno, bad.message);
    const r = dmirrorCheckExclusive(this.mem, proc, addr, npages);
    if (r < 0) return failed(r, `the device still has atomic access to a page of the range (dmirror_check_atomic)`);
    return succeeded({ cpages: 0 });
  }

  /** `HMM_DMIRROR_MIGRATE_TO_DEV` / `HMM_DMIRROR_MIGRATE_TO_SYS` (lib/test_hmm.c, v6.12). */
  private migrate({ proc, addr, npages }: ActionArgs<typeof dmirrorMigrateFields>, toDev: boolean): DeviceActionResult {
    const bad = dmirrorCheckCmd(proc, addr, npages);
    if (bad !== undefined) return failed(bad.errno, bad.message);
    const mm = proc.mm!;
    const r = toDev ? dmirrorMigrateToDevice(this.ctx, this.mem, mm, addr, npages) : dmirrorMigrateToSystem(this.ctx, this.mem, mm, addr, npages);
    const action = toDev ? "migrate_to_dev" : "migrate_to_sys";
    emitDeviceEvent(this.ctx, HMM_DMIRROR_KIND, action, { pid: proc.pid, addr, npages, cpages: r.cpages, ...(r.ret < 0 ? { errno: errnoName(r.ret) ?? String(r.ret) } : {}) });
    if (r.ret < 0) {
      const why = r.ret === -ENOENT ? `only ${r.cpages} of the ${npages} pages are on the device (dmirror_do_read)` : `migrate_vma_setup or the range refused`;
      return failed(r.ret, `${action} failed with ${errnoName(r.ret) ?? r.ret}: ${why}`);
    }
    if (toDev) this.migratedToDev += r.cpages;
    else this.migratedToSys += r.cpages;
    return succeeded({ cpages: r.cpages });
  }

  /** `HMM_DMIRROR_SNAPSHOT` (`dmirror_snapshot()`, lib/test_hmm.c, v6.12). */
  private snapshot({ proc, addr, npages }: ActionArgs<typeof dmirrorSnapshotFields>): DeviceActionResult {
    const bad = dmirrorCheckCmd(proc, addr, npages);
    if (bad !== undefined) return failed(bad.errno, bad.message);
    const mm = proc.mm!;
    const res = dmirrorSnapshot(this.ctx, mm, addr, npages);
    if (typeof res === "number") return failed(res, `snapshot failed with ${errnoName(res) ?? res}`);
    const perm = [...res].map(dmirrorProtName);
    const counts: Record<string, number> = {};
    for (const p of perm) counts[p] = (counts[p] ?? 0) + 1;
    this.snapshots++;
    this.pagesSnapshotted += npages;
    emitDeviceEvent(this.ctx, HMM_DMIRROR_KIND, "snapshot", { pid: proc.pid, addr, npages, counts });
    return succeeded({ cpages: npages, perm, counts });
  }
}
