/**
 * The frames a step touched, as the kernel's observation points name them: what an incremental
 * invariant audit looks at besides the frames its census finds mapped or cached (and the ones the
 * last census found). Only frames that changed without being mapped or cached before or after
 * need naming here: grabbed and released (GUP), copied on write or at fork, written, migrated,
 * cleaned, orphaned, freed. A frame changed by no such path is left to the periodic full audit.
 * @module
 */
import type { Inode } from "../fs/inode.js";
import type { HolderRef } from "../events/event-types.js";
import type { KernelObserver } from "../kernel/hooks.js";
import type { MmStruct } from "../mm/mm-types.js";

/** An observer that records the frames each hook names, until {@link TouchedFrames.take}. */
export class TouchedFrames implements KernelObserver {
  private frames: number[] = [];

  /** The frames named since the last call (possibly repeated), and start afresh. */
  take(): number[] {
    const out = this.frames;
    this.frames = [];
    return out;
  }

  private range(pfn: number, nr: number): void {
    for (let i = 0; i < nr; i++) this.frames.push(pfn + i);
  }

  private list(pfns: ArrayLike<number>): void {
    for (let i = 0; i < pfns.length; i++) this.frames.push(pfns[i]);
  }

  /** @inheritDoc */
  onGrab(_holder: HolderRef | undefined, pfns: ArrayLike<number>): void {
    this.list(pfns);
  }

  /** @inheritDoc */
  onRelease(_holder: HolderRef | undefined, pfns: ArrayLike<number>): void {
    this.list(pfns);
  }

  /** @inheritDoc */
  onCow(_mm: MmStruct, _vpn: number, oldPfn: number, newPfn: number, _reason?: "write" | "unshare", nr = 1): void {
    this.range(oldPfn, nr);
    this.range(newPfn, nr);
  }

  /** @inheritDoc */
  onForkCopy(_parent: MmStruct, _vpn: number, pfn: number, nr = 1): void {
    this.range(pfn, nr);
  }

  /** @inheritDoc */
  onUserWrite(_mm: MmStruct, pfn: number): void {
    this.frames.push(pfn);
  }

  /** @inheritDoc */
  onMigrate(oldPfn: number, newPfn: number): void {
    this.frames.push(oldPfn, newPfn);
  }

  /** @inheritDoc */
  onClean(_inode: Inode, _index: number, pfn: number): void {
    this.frames.push(pfn);
  }

  /** @inheritDoc */
  onPinnedWriteback(_inode: Inode, _index: number, pfn: number): void {
    this.frames.push(pfn);
  }

  /** @inheritDoc */
  onOrphan(_inode: Inode, _index: number, pfn: number): void {
    this.frames.push(pfn);
  }

  /** @inheritDoc */
  onFree(pfn: number, nr = 1): void {
    this.range(pfn, nr);
  }
}
