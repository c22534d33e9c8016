/**
 * What the `hmm-dmirror` device accepts: its options and its actions, each with the schema of its fields.
 * @module
 */
import { actionFields, type DeviceActionSpecs } from "@pinlab/core";
import { z } from "zod";

/** The id of the `hmm-dmirror` device kind. */
export const HMM_DMIRROR_KIND = "hmm-dmirror";

/** Options of an `hmm-dmirror` device (none yet: device memory comes later). */
export const hmmDmirrorOptions = z.object({}).strict();

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

/** The actions of `hmm-dmirror`: what the device's handlers are typed from. */
export const hmmDmirrorActions = {
  snapshot: {
    summary: "HMM_DMIRROR_SNAPSHOT: the device's view of each CPU page-table entry, read with hmm_range_fault() without faulting",
    fields: dmirrorSnapshotFields,
    result: "{ cpages, perm: one HMM_DMIRROR_PROT_* name per page (\"ZERO|READ\", \"WRITE|PMD\", \"ERROR\"…), counts: pages per name }",
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
  pages got each name (for large ranges).
`.trim();
