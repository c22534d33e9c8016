/**
 * What the `hmm-dmirror` device accepts: its options and its actions, each with the schema of its fields.
 * @module
 */
import { actionFields, type DeviceActionSpecs } from "@pinlab/core";
import { z } from "zod";

/** The id of the `hmm-dmirror` device kind. */
export const HMM_DMIRROR_KIND = "hmm-dmirror";

/**
 * Options of an `hmm-dmirror` device: which kind of device memory it has, taken from
 * `machine.device_memory` (lib/test_hmm.c devices 0-1 are MEMORY_DEVICE_PRIVATE, 2-3
 * MEMORY_DEVICE_COHERENT).
 */
export const hmmDmirrorOptions = z
  .object({
    memory: z.enum(["private", "coherent"]).default("private").meta({ description: "MEMORY_DEVICE_PRIVATE (not CPU-addressable: device-private entries, migrate_to_ram) or MEMORY_DEVICE_COHERENT (mapped by the CPU like RAM)" }),
  })
  .strict();

/** Parsed `hmm-dmirror` options. */
export type HmmDmirrorOptions = z.output<typeof hmmDmirrorOptions>;

/** `snapshot` fields: the process whose page table is read, and the pages [addr, addr + npages pages), as `struct hmm_dmirror_cmd` gives them. */
export const dmirrorSnapshotFields = z
  .object({
    proc: actionFields.proc,
    addr: actionFields.addr,
    npages: z.number().int().nonnegative().meta({ description: "pages to snapshot from addr (hmm_dmirror_cmd.npages)" }),
  })
  .strict();

/** `read` / `migrate_to_dev` / `migrate_to_sys` fields: the process, and the pages [addr, addr + npages pages) (`struct hmm_dmirror_cmd`). */
export const dmirrorMigrateFields = z
  .object({
    proc: actionFields.proc,
    addr: actionFields.addr,
    npages: z.number().int().nonnegative({ message: "expected a number of pages (hmm_dmirror_cmd.npages): a whole number, 0 or more" }).meta({ description: "pages to migrate from addr (hmm_dmirror_cmd.npages)" }),
  })
  .strict();

/** `write` fields: the range, and the bytes the device writes from `addr` (the bounce buffer of `struct hmm_dmirror_cmd`). */
export const dmirrorWriteFields = z
  .object({
    proc: actionFields.proc,
    addr: actionFields.addr,
    npages: dmirrorMigrateFields.shape.npages,
    data: z.string().meta({ description: "bytes the device writes from addr (at most npages pages; the rest of the range keeps its bytes)" }),
  })
  .strict();

/** The actions of `hmm-dmirror`: what the device's handlers are typed from. */
export const hmmDmirrorActions = {
  snapshot: {
    summary: "HMM_DMIRROR_SNAPSHOT: the device's view of each CPU page-table entry, read with hmm_range_fault() without faulting",
    fields: dmirrorSnapshotFields,
    result: "{ cpages, perm: one HMM_DMIRROR_PROT_* name per page (\"ZERO|READ\", \"WRITE|PMD\", \"DEV_PRIVATE_LOCAL|WRITE\", \"ERROR\"…), counts: pages per name }",
  },
  read: {
    summary: "HMM_DMIRROR_READ: the device reads the range through its page table, faulting what it lacks with hmm_range_fault() (which brings another device's private pages back)",
    fields: dmirrorMigrateFields,
    result: "{ cpages: pages read, faults: dmirror_fault() calls }",
  },
  write: {
    summary: "HMM_DMIRROR_WRITE: the device writes data into the range through its page table, faulting it in for write with hmm_range_fault() (EPERM in a read-only VMA)",
    fields: dmirrorWriteFields,
    result: "{ cpages: pages written, faults: dmirror_fault() calls }",
  },
  exclusive: {
    summary: "HMM_DMIRROR_EXCLUSIVE: atomic access for the device (make_device_exclusive_range): device-exclusive entries replace the CPU mappings until a CPU access revokes them",
    fields: dmirrorMigrateFields,
    result: "{ cpages: pages of the range the device holds }",
  },
  check_exclusive: {
    summary: "HMM_DMIRROR_CHECK_EXCLUSIVE: EPERM while the device still has atomic access to a page of the range",
    fields: dmirrorMigrateFields,
    result: "{ cpages: 0 }",
  },
  migrate_to_dev: {
    summary: "HMM_DMIRROR_MIGRATE_TO_DEV: migrate anonymous pages to the device's private memory (migrate_vma_setup/_pages/_finalize); ENOENT when a page of the range did not move",
    fields: dmirrorMigrateFields,
    result: "{ cpages: pages of the range now on the device }",
  },
  migrate_to_sys: {
    summary: "HMM_DMIRROR_MIGRATE_TO_SYS: migrate the device's private pages of the range back to system memory",
    fields: dmirrorMigrateFields,
    result: "{ cpages: pages migrated back }",
  },
} satisfies DeviceActionSpecs;

/** The markdown description of `hmm-dmirror`. */
export const HMM_DMIRROR_DESCRIPTION = `
The HMM test device \`dmirror\` of lib/test_hmm.c (Linux v6.12), which
tools/testing/selftests/mm/hmm-tests.c drives through ioctls on /dev/hmm_dmirror*.

- \`snapshot\` is \`HMM_DMIRROR_SNAPSHOT\` (\`dmirror_snapshot()\`): per 64 pages a temporary interval
  notifier, then \`hmm_range_fault()\` with no fault flags, retried until
  \`mmu_interval_read_retry()\` says the walk is stable; each entry becomes one
  \`HMM_DMIRROR_PROT_*\` value (\`dmirror_mkentry()\`): \`ERROR\` where there is no VMA or one HMM
  cannot read (PROT_NONE, VM_IO, VM_PFNMAP), \`NONE\` where nothing is mapped, \`ZERO|READ\` for the
  zero page, \`READ\` or \`WRITE\`, with \`PMD\` added where a PMD leaf maps the page (a THP, a
  hugetlb page). Nothing is faulted, allocated or referenced.
- The result is \`{ cpages, perm, counts }\`: the pages reported, one name per page, and how many
  pages got each name (for large ranges). A page on this device's private memory is
  \`DEV_PRIVATE_LOCAL|WRITE\` (or \`|READ\`); one on another device's is \`NONE\`, as
  \`hmm_range_fault()\` reports only the caller's own device-private pages (\`dev_private_owner\`).
- \`migrate_to_dev\` is \`HMM_DMIRROR_MIGRATE_TO_DEV\` (\`dmirror_migrate_to_device()\`): per VMA and 64
  pages, \`migrate_vma_setup()\` with MIGRATE_VMA_SELECT_SYSTEM collects anonymous pages, holes and
  the zero page (a PMD-mapped THP is split first), skipping pages with references beyond their
  mappings (GUP, pins), anon-exclusive pages that may be pinned, shared (shmem) and file pages and
  other devices' pages; the device allocates a private page for each (from 1 MiB chunks of
  \`machine.device_memory\`, \`memremap_pages()\`), copies the data, and
  \`migrate_vma_pages()\` / \`migrate_vma_finalize()\` leave a device-private entry in the CPU
  page table. \`{ cpages }\` counts the range's pages on the device; ENOENT when one is not
  (hmm-tests.c \`migrate_shared\`, \`migrate_mixed\`), EINVAL for a hole or a PROT_NONE VMA.
- A CPU access (or GUP, or \`hmm_range_fault()\` of another device) to a device-private entry
  faults it back: \`do_swap_page()\` calls the pagemap's \`migrate_to_ram\`
  (\`dmirror_devmem_fault()\`), which migrates that page to a new system page. Fork shares
  device-private entries read-only (\`copy_nonpresent_pte()\`), and munmap or exit frees the
  device pages.
- \`read\` is \`HMM_DMIRROR_READ\` (\`dmirror_read()\`): the device reads the range through its own
  page table, and where that lacks a page it faults the rest in (\`dmirror_fault()\`:
  \`hmm_range_fault()\` with HMM_PFN_REQ_FAULT under its interval notifier over the whole address
  space, whose invalidations drop the entries they cover). Another device's private page is
  faulted back to system memory on the way (hmm-tests.c \`double_map\`). \`{ cpages, faults }\`.
- \`write\` is \`HMM_DMIRROR_WRITE\` (\`dmirror_write()\`): as \`read\`, but every page must be writable
  in the device page table, so it faults for write (\`hmm_range_fault()\` with HMM_PFN_REQ_WRITE:
  EPERM in a VMA without write permission, hmm-tests.c \`exclusive_mprotect\`); then \`data\` is
  written from \`addr\` by DMA. \`{ cpages, faults }\`.
- \`exclusive\` is \`HMM_DMIRROR_EXCLUSIVE\` (\`dmirror_exclusive()\`): \`make_device_exclusive_range()\`
  faults the pages in for write (GUP, FOLL_WRITE: COW is broken) and replaces every CPU mapping of
  each by a device-exclusive entry (MMU_NOTIFY_EXCLUSIVE); the device maps them for atomic
  access. Any CPU access (or GUP) faults and restores the PTE (\`remove_device_exclusive_entry()\`,
  another MMU_NOTIFY_EXCLUSIVE that revokes the device's access); fork restores them first
  (\`copy_nonpresent_pte()\`), mprotect makes them read-only. \`check_exclusive\` is
  \`HMM_DMIRROR_CHECK_EXCLUSIVE\`: EPERM while the device still has atomic access.
- \`migrate_to_sys\` is \`HMM_DMIRROR_MIGRATE_TO_SYS\` (\`dmirror_migrate_to_system()\`): the
  device's pages of the range back to system memory; \`{ cpages }\` counts them.
`.trim();
