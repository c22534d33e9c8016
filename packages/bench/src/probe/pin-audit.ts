/**
 * Asking `maybeDmaPinned` about pages whose truth the model knows: how often does the policy's
 * answer lie?
 * @module
 */
import { PG_ALLOC, PG_ANON, PG_FILE, PG_ZERO, type KernelInstance } from "@pinlab/core";

/** Answers of `maybeDmaPinned` compared with the truth, counted per 4 KiB page. */
export interface AuditTally {
  /** Pages asked about. */
  asked: number;
  /** Of those, pages a pin-family GUP call really holds (the truth). */
  pinned: number;
  /** Pages no pin holds. */
  unpinned: number;
  /** "Maybe pinned" for a page no pin holds. */
  falsePositives: number;
  /** "Not pinned" for a page a pin holds (a policy that cannot tell at all says this every time). */
  falseNegatives: number;
}

/** A zeroed tally. */
export function emptyAudit(): AuditTally {
  return { asked: 0, pinned: 0, unpinned: 0, falsePositives: 0, falseNegatives: 0 };
}

/** Add `b` into `a`. */
export function addAudit(a: AuditTally, b: AuditTally): void {
  a.asked += b.asked;
  a.pinned += b.pinned;
  a.unpinned += b.unpinned;
  a.falsePositives += b.falsePositives;
  a.falseNegatives += b.falseNegatives;
}

/** False positives over unpinned pages asked; undefined when none was asked. */
export function falsePositiveRate(a: AuditTally): number | undefined {
  return a.unpinned > 0 ? a.falsePositives / a.unpinned : undefined;
}

/** False negatives over pinned pages asked; undefined when none was asked. */
export function falseNegativeRate(a: AuditTally): number | undefined {
  return a.pinned > 0 ? a.falseNegatives / a.pinned : undefined;
}

/**
 * Ask the policy about user pages (anonymous or file, not the zero page): every allocated one, or
 * only `pfns`. The truth is GUP's own bookkeeping of outstanding pin-family references per folio
 * (`pin_user_pages*`, `vaddr_pin_pages*`), which is kept whatever the policy counts.
 */
export function auditPins(inst: KernelInstance, pfns?: ArrayLike<number>): AuditTally {
  const k = inst.kernel;
  const f = k.frames;
  const pinRefs = inst.gup.pinRefs;
  const policy = k.policy;
  const t = emptyAudit();
  const visit = (pfn: number) => {
    const fl = f.flags[pfn];
    if ((fl & PG_ALLOC) === 0 || (fl & PG_ZERO) !== 0 || (fl & (PG_ANON | PG_FILE)) === 0) return;
    const truth = pinRefs[f.head(pfn)] > 0;
    const answer = policy.maybeDmaPinned(pfn);
    t.asked++;
    if (truth) {
      t.pinned++;
      if (!answer) t.falseNegatives++;
    } else {
      t.unpinned++;
      if (answer) t.falsePositives++;
    }
  };
  if (pfns !== undefined) for (let i = 0; i < pfns.length; i++) visit(pfns[i]);
  else for (let pfn = 0; pfn < f.nrFrames; pfn++) visit(pfn);
  return t;
}
