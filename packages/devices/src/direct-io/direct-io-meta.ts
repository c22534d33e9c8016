/**
 * What the `direct-io` device accepts: its options and its actions, with the schema of their fields.
 * @module
 */
import { actionFields, timeField, type DeviceActionSpecs } from "@pinlab/core";
import { z } from "zod";

/** How user buffers are held: `pin` (v6.12 `iov_iter_extract_pages`, FOLL_PIN) or `get` (legacy `iov_iter_get_pages2`, FOLL_GET). */
export const DIO_PIN_CALLS = ["pin", "get"] as const;

/** A pin call. */
export type DioPinCall = (typeof DIO_PIN_CALLS)[number];

/** Options of a `direct-io` device. */
export const directIoOptions = z
  .object({
    latency: timeField.prefault("50us").describe("time from submission to completion of each IO (0 = the IO completes within the step)"),
    pinCall: z.enum(DIO_PIN_CALLS).default("pin")
      .describe("pin: iov_iter_extract_pages, FOLL_PIN released by unpin (v6.12); get: legacy iov_iter_get_pages2, FOLL_GET released by put_page"),
    logicalBlockSize: z.number().int().min(1).default(512)
      .describe("file offset, length and buffer address must be multiples of it (EINVAL otherwise)"),
  })
  .strict();

/** Parsed `direct-io` options. */
export type DirectIoOptions = z.output<typeof directIoOptions>;

/** `read` and `write` fields. */
export const dioFields = z
  .object({ proc: actionFields.proc, addr: actionFields.addr, length: actionFields.size, file: actionFields.file, offset: actionFields.size })
  .strict();

/** The actions of `direct-io`: what the device's handlers are typed from. */
export const directIoActions = {
  read: { summary: "O_DIRECT read: file [offset, offset + length) into user memory at addr", fields: dioFields, result: "the IO name" },
  write: { summary: "O_DIRECT write: user memory at addr into file [offset, offset + length)", fields: dioFields, result: "the IO name" },
} satisfies DeviceActionSpecs;

/** The markdown description of `direct-io`. */
export const DIRECT_IO_DESCRIPTION = `
A block device doing O_DIRECT IO for a process, as iomap's direct IO path does it
(fs/iomap/direct-io.c, block/bio.c, lib/iov_iter.c; Linux v6.12):

- **Submission.** The user buffer is extracted with \`iov_iter_extract_pages()\`, i.e.
  \`pin_user_pages_fast()\` (FOLL_PIN, plus FOLL_WRITE for a read, which writes into user memory).
  A short pin makes a short IO; nothing pinned fails the IO with \`EFAULT\`. A read marks the pages
  dirty before submission (\`bio_set_pages_dirty\`, IOMAP_DIO_DIRTY).
- **Completion**, \`latency\` later on the virtual clock: a read DMA-writes the file's current
  contents into the pinned frames, then \`bio_check_pages_dirty()\` unpins them, re-dirtying
  pages that writeback cleaned while the IO was in flight (\`bio_release_pages(bio, true)\`). A write
  DMA-reads the user frames and its bios write the disk, past the page cache (a cached copy gets
  the same bytes, nothing is dirtied; FS-DAX blocks are written through their frames and
  dirtied), extending i_size, then unpins.
- \`pinCall: get\` is the legacy \`iov_iter_get_pages2()\`: FOLL_GET references, released with
  \`put_page()\`; fork, writeback and migration cannot tell those pages are under DMA.

Simplifications: the page cache is read and written directly (coherent with what a flush before
the IO and an invalidation after it would give); FS-DAX files are not special-cased (the kernel
copies through \`dax_iomap_rw\` without pinning the user buffer).
`.trim();
