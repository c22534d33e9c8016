/**
 * pinlab core: the machine model (frames, zones, address spaces, page cache, writeback, truncate,
 * migration, MMU notifiers), the GUP API, the policy and device extension points, the hazard
 * oracle, and the scenario engine. Core imports no policy and no device: they plug in through
 * the `PIN_POLICY` and `DEVICE_PLUGIN` extension points (typed DI tokens, each declared next to
 * its interface; `di/tokens.ts` is only the mechanism).
 *
 * One folder per kernel concept, in layers; a folder imports only the layers below it, type-only
 * imports included, and no import circle exists (`tools/src/core-layers.ts` checks both):
 *
 * ```
 * errno, di      errno values; the typed-token mechanism
 * sim            units and values as written, the virtual clock, the seeded random source, fault injection
 * config         the validated kernel config
 * memory, events frames, zones, allocators; the event bus
 * mm             address spaces, faults, mmap, fork, rmap, the page cache, swap (MmContext)
 * notifier       MMU interval notifiers, hmm_range_fault
 * fs             inodes, filesystems, leases, writeback, truncate (FsContext)
 * migrate        migration, compaction, CMA, reclaim (MigrateContext)
 * policy         the PinPolicy seam
 * kernel         KernelContext, the observer hooks, the Kernel class
 * gup            the GUP API (mm/gup.c, one file per concept)
 * oracle, invariants
 * device         DeviceContext (what a driver reaches), typed action fields and their dispatch, the DMA engine
 * plugin         the plugin registry and module loader
 * instance       createKernel, attachDevice
 * scenario       the scenario engine
 * testing        test helpers (@pinlab/core/testing)
 * ```
 *
 * Where a lower layer needs a higher one at run time it declares the interface and the higher
 * one implements it, as the kernel does with its ops tables: the mm asks `MmPolicy` and
 * `MmuNotifierCalls` and reaches files as `MappedFile`; `PinPolicy` extends what the mm and fs
 * ask; the `Kernel` class implements `MmContext`, `FsContext`, `MigrateContext` and
 * `KernelContext`.
 * @packageDocumentation
 */
import "reflect-metadata";

// errno, di, sim: the base
export * from "./errno.js";
export * from "./di/tokens.js";
export * from "./di/plugin-id.js";
export * from "./sim/units.js";
export * from "./sim/field-schemas.js";
export * from "./sim/clock.js";
export * from "./sim/rng.js";
export * from "./sim/fault-spec.js";
export * from "./sim/preemption.js";
export * from "./sim/fault-injection.js";
// era, config
export * from "./era/era-rules.js";
export * from "./era/eras.js";
export * from "./era/era-lookup.js";
export * from "./era/era-id-schema.js";
export * from "./era/era-token.js";
export * from "./config/format-issues.js";
export * from "./config/kernel-config.js";
export * from "./config/thp-config.js";
// memory, events
export * from "./memory/page-flags.js";
export * from "./memory/zones.js";
export * from "./memory/frame-table.js";
export * from "./memory/zone-allocator.js";
export * from "./memory/content-store.js";
export * from "./memory/physical-memory.js";
export * from "./memory/hugetlb-pool.js";
export * from "./events/event-types.js";
export * from "./events/event-bus.js";
// mm
export * from "./mm/vm-flags.js";
export * from "./mm/page-table.js";
export * from "./mm/mm-types.js";
export * from "./mm/process.js";
export * from "./mm/user-struct.js";
export * from "./mm/vmstat.js";
export * from "./mm/context.js";
export * from "./mm/pte-ops.js";
export * from "./mm/rmap.js";
export * from "./mm/filemap.js";
export * from "./mm/fault-flags.js";
export * from "./mm/fault.js";
export * from "./mm/wp-page.js";
export * from "./mm/hugetlb.js";
export * from "./mm/hugetlb-hstate.js";
export * from "./mm/huge-memory.js";
export * from "./mm/vma-modify.js";
export * from "./mm/get-unmapped-area.js";
export * from "./mm/mmap.js";
export * from "./mm/mremap.js";
export * from "./mm/move-vma.js";
export * from "./mm/move-page-tables.js";
export * from "./mm/mprotect.js";
export * from "./mm/madvise.js";
export * from "./mm/fork.js";
export * from "./mm/fork-dma-copy.js";
export * from "./mm/user-access.js";
export * from "./mm/swapfile.js";
export * from "./mm/swapops.js";
export * from "./mm/device-entry.js";
export * from "./mm/memremap.js";
export * from "./mm/device-exclusive.js";
export * from "./mm/swap-state.js";
export * from "./mm/swap-pte.js";
export * from "./mm/swap-fault.js";
export * from "./mm/vmscan-anon.js";
export * from "./mm/madvise-pageout.js";
// notifier
export * from "./notifier/mmu-notifiers.js";
export * from "./notifier/hmm.js";
// fs
export * from "./fs/fs-type.js";
export * from "./fs/lease.js";
export * from "./fs/inode.js";
export * from "./fs/context.js";
export * from "./fs/writeback.js";
export * from "./fs/writeback-error.js";
export * from "./fs/truncate.js";
// migrate
export * from "./migrate/context.js";
export * from "./migrate/migrate.js";
export * from "./migrate/migrate-pfn.js";
export * from "./migrate/migrate-device.js";
export * from "./migrate/migrate-device-unmap.js";
export * from "./migrate/compaction.js";
export * from "./migrate/cma.js";
export * from "./migrate/reclaim.js";
// policy
export * from "./policy/pin-policy.js";
export * from "./policy/fast-path.js";
export * from "./policy/pins-as-gets.js";
// kernel
export * from "./kernel/hooks.js";
export * from "./kernel/context.js";
export * from "./kernel/kernel.js";
export * from "./kernel/observer-list.js";
// gup
export * from "./gup/foll-flags.js";
export * from "./gup/validate.js";
export * from "./gup/gup.js";
export * from "./gup/access-remote-vm.js";
// oracle, invariants
export * from "./oracle/holder-record.js";
export * from "./oracle/oracle.js";
export * from "./invariants/checker.js";
export * from "./invariants/audit-scope.js";
export * from "./invariants/incremental-audit.js";
// device
export * from "./device/device-plugin.js";
export * from "./device/action-fields.js";
export * from "./device/action-dispatch.js";
export * from "./device/dma-engine.js";
export * from "./device/driver-api.js";
export * from "./device/device-memory.js";
export * from "./device/device-exclusive.js";
// plugin
export * from "./plugin/plugin-errors.js";
export * from "./plugin/registry.js";
export * from "./plugin/instantiate.js";
export * from "./plugin/module.js";
export * from "./plugin/policy-options-issues.js";
// instance
export * from "./instance/create-kernel.js";
export * from "./instance/attach.js";
// scenario
export * from "./scenario/index.js";
