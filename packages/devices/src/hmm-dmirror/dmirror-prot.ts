/**
 * What `HMM_DMIRROR_SNAPSHOT` reports for each page: the `HMM_DMIRROR_PROT_*` values of
 * lib/test_hmm_uapi.h (Linux v6.12) and `dmirror_mkentry()` (lib/test_hmm.c), which turns one
 * `hmm_range_fault()` entry into one of them.
 * @module
 */
import { HMM_PFN_ERROR, HMM_PFN_VALID, HMM_PFN_WRITE, hmmPfnToMapOrder, HPAGE_PMD_ORDER } from "@pinlab/core";

/** `HMM_DMIRROR_PROT_*` (lib/test_hmm_uapi.h, v6.12), by the name a scenario reads them under. */
export const HMM_DMIRROR_PROT = {
  ERROR: 0xff,
  NONE: 0x00,
  READ: 0x01,
  WRITE: 0x02,
  PMD: 0x04,
  PUD: 0x08,
  ZERO: 0x10,
  DEV_PRIVATE_LOCAL: 0x20,
  DEV_PRIVATE_REMOTE: 0x30,
  DEV_COHERENT_LOCAL: 0x40,
  DEV_COHERENT_REMOTE: 0x50,
} as const;

/** The PUD order (`PUD_SHIFT - PAGE_SHIFT`, 1 GiB pages). The model maps nothing at PUD level today. */
const PUD_ORDER = 18;

/**
 * `dmirror_mkentry()` (lib/test_hmm.c, v6.12): the snapshot byte of one page from its
 * `hmm_range_fault()` flags. HMM_PFN_ERROR is PROT_ERROR; an invalid entry (nothing mapped) is
 * PROT_NONE; otherwise the page's kind (the zero page is PROT_ZERO, an ordinary page 0), then
 * READ or WRITE, then PMD or PUD when the CPU maps it with a leaf of that size
 * (`hmm_pfn_to_map_order()`). `device` is the page's device kind when it is a device page
 * (DEV_PRIVATE_LOCAL / _REMOTE, DEV_COHERENT_LOCAL / _REMOTE, see `dmirrorDeviceKind()`), else 0.
 */
export function dmirrorMkentry(flags: number, isZero: boolean, device = 0): number {
  if ((flags & HMM_PFN_ERROR) !== 0) return HMM_DMIRROR_PROT.ERROR;
  if ((flags & HMM_PFN_VALID) === 0) return HMM_DMIRROR_PROT.NONE;
  let perm: number = device !== 0 ? device : isZero ? HMM_DMIRROR_PROT.ZERO : HMM_DMIRROR_PROT.NONE;
  perm |= (flags & HMM_PFN_WRITE) !== 0 ? HMM_DMIRROR_PROT.WRITE : HMM_DMIRROR_PROT.READ;
  const order = hmmPfnToMapOrder(flags);
  if (order === HPAGE_PMD_ORDER) perm |= HMM_DMIRROR_PROT.PMD;
  else if (order === PUD_ORDER) perm |= HMM_DMIRROR_PROT.PUD;
  return perm;
}

/** The kind part of a snapshot byte (what the top nibble and ZERO say), by value. */
const KINDS: ReadonlyArray<readonly [number, string]> = [
  [HMM_DMIRROR_PROT.DEV_COHERENT_REMOTE, "DEV_COHERENT_REMOTE"],
  [HMM_DMIRROR_PROT.DEV_COHERENT_LOCAL, "DEV_COHERENT_LOCAL"],
  [HMM_DMIRROR_PROT.DEV_PRIVATE_REMOTE, "DEV_PRIVATE_REMOTE"],
  [HMM_DMIRROR_PROT.DEV_PRIVATE_LOCAL, "DEV_PRIVATE_LOCAL"],
  [HMM_DMIRROR_PROT.ZERO, "ZERO"],
];

/**
 * A snapshot byte as a scenario writes it: the `HMM_DMIRROR_PROT_*` names joined with `|`, in the
 * order hmm-tests.c writes them (kind, then READ or WRITE, then PMD or PUD): `"ZERO|READ"`,
 * `"WRITE|PMD"`, `"ERROR"`, `"NONE"`.
 */
export function dmirrorProtName(perm: number): string {
  if (perm === HMM_DMIRROR_PROT.ERROR) return "ERROR";
  if (perm === HMM_DMIRROR_PROT.NONE) return "NONE";
  const parts: string[] = [];
  const kind = KINDS.find(([v]) => (perm & 0xf0) === v);
  if (kind !== undefined) parts.push(kind[1]);
  if ((perm & HMM_DMIRROR_PROT.WRITE) !== 0) parts.push("WRITE");
  else if ((perm & HMM_DMIRROR_PROT.READ) !== 0) parts.push("READ");
  if ((perm & HMM_DMIRROR_PROT.PMD) !== 0) parts.push("PMD");
  if ((perm & HMM_DMIRROR_PROT.PUD) !== 0) parts.push("PUD");
  return parts.join("|");
}
