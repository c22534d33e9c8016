/**
 * The recorded views of a machine at one position of a run: processes and their VMAs, devices,
 * who holds which frame, and the counters. Plain data, so positions can be shared, compared and
 * shown without touching a live kernel.
 */

/** A VMA as the lanes draw it. */
export interface VmaView {
  /** First byte address. */
  readonly start: number;
  /** One past the last byte address. */
  readonly end: number;
  /** `rwx` protection. */
  readonly prot: string;
  /** VM_* flag names. */
  readonly flags: readonly string[];
  /** The backing file's name, or null for private anonymous memory. */
  readonly file: string | null;
  /** Page offset in the file of `start`. */
  readonly pgoff: number;
  /** The raw VM_* bits (for cheap change detection). */
  readonly vmFlags: number;
}

/** A process and its address space. */
export interface ProcessView {
  /** Process id. */
  readonly pid: number;
  /** Name, as the scenario calls it. */
  readonly name: string;
  /** False after exit. */
  readonly alive: boolean;
  /** VMAs in address order (empty after exit). */
  readonly vmas: readonly VmaView[];
  /** `mm->pinned_vm`, in pages. */
  readonly pinnedVm: number;
  /** Present PTEs. */
  readonly rss: number;
}

/** A device: the frames it can DMA into now and its counters. */
export interface DeviceSnapshot {
  /** Its name in the scenario. */
  readonly name: string;
  /** Its kind (plugin id). */
  readonly kind: string;
  /** Frames with a label each (region:page, mirror entry, IO). */
  readonly frames: ReadonlyArray<{ readonly pfn: number; readonly label: string }>;
  /** Device counters. */
  readonly counters: Readonly<Record<string, number>>;
}

/** Counters at one position. */
export interface CounterSnapshot {
  /** `/proc/vmstat`-like counters (nr_foll_pin_acquired, nr_foll_pin_released, ...). */
  readonly vmstat: Readonly<Record<string, number>>;
  /** `pinned_vm` in pages, by process name. */
  readonly pinnedVm: Readonly<Record<string, number>>;
  /** Hazards recorded so far. */
  readonly hazards: number;
}

/** Holder names by frame, sorted by frame. */
export type HolderList = ReadonlyArray<readonly [pfn: number, names: readonly string[]]>;

/** The small per-position views (frames and PTEs are kept separately, as deltas). */
export interface PositionViews {
  /** Processes. */
  readonly procs: readonly ProcessView[];
  /** Devices. */
  readonly devices: readonly DeviceSnapshot[];
  /** Who holds which frame (the oracle's truth). */
  readonly holders: HolderList;
  /** Counters. */
  readonly counters: CounterSnapshot;
}
