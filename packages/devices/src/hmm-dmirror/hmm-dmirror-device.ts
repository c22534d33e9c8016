/**
 * An `hmm-dmirror` device instance: the ioctls of lib/test_hmm.c's `dmirror` (Linux v6.12).
 * @module
 */
import { EINVAL, errnoName, type ActionArgs, type ActionHandlers, type DeviceActionResult, type DeviceContext, type DeviceInstance, type DeviceView } from "@pinlab/core";
import { emitDeviceEvent } from "../shared/device-events.js";
import { failed, succeeded } from "../shared/results.js";
import { dmirrorProtName } from "./dmirror-prot.js";
import { dmirrorCheckCmd, dmirrorSnapshot } from "./dmirror-snapshot.js";
import { HMM_DMIRROR_KIND, type dmirrorSnapshotFields, type hmmDmirrorActions, type HmmDmirrorOptions } from "./hmm-dmirror-meta.js";

/** The HMM test mirror: reads a process's page table the way a device driver does through mm/hmm.c. */
export class HmmDmirrorDevice implements DeviceInstance<typeof hmmDmirrorActions> {
  /** The device name. */
  readonly name: string;
  /** @inheritDoc */
  readonly actions: ActionHandlers<typeof hmmDmirrorActions> = {
    snapshot: (args) => this.snapshot(args),
  };
  private snapshots = 0;
  private pagesSnapshotted = 0;

  /** Build the device from its context. */
  constructor(private readonly ctx: DeviceContext<HmmDmirrorOptions>) {
    this.name = ctx.name;
  }

  /** @inheritDoc */
  view(): DeviceView {
    return { frames: [], counters: { snapshots: this.snapshots, pagesSnapshotted: this.pagesSnapshotted } };
  }

  /** `HMM_DMIRROR_SNAPSHOT` (`dmirror_snapshot()`, lib/test_hmm.c, v6.12). */
  private snapshot({ proc, addr, npages }: ActionArgs<typeof dmirrorSnapshotFields>): DeviceActionResult {
    const bad = dmirrorCheckCmd(addr, npages);
    if (bad !== undefined) return failed(bad.errno, bad.message);
    // mmget_not_zero() fails once the mirrored process exited.
    if (!proc.alive || proc.mm === null) return failed(EINVAL, `process ${proc.name} has no address space (mmget_not_zero)`);
    const res = dmirrorSnapshot(this.ctx, proc.mm, addr, npages);
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
