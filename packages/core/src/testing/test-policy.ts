/**
 * A test double for the policy seam: exact pin counting in a Map, FOLL_PIN semantics of v6.12
 * (fork copies pinned pages, R/O pins unshare, long-term pins migrate out of MOVABLE/CMA). Core
 * tests use it so they do not depend on @pinlab/policies; the real policies have their own tests.
 */
import { z } from "zod";
import { EINVAL, EOPNOTSUPP } from "../errno.js";
import { FOLL_LONGTERM, FOLL_PIN } from "../gup/foll-flags.js";
import { PG_ANON, PG_ANON_EXCLUSIVE, PG_ZERO } from "../memory/page-flags.js";
import { ZoneId } from "../memory/zones.js";
import { definePinPolicy, type PinPolicy } from "../policy/pin-policy.js";

/** The test policy descriptor. */
export const testPolicy = definePinPolicy({
  meta: {
    id: "test-exact", summary: "test double", kernel: "test", options: z.object({ forkCopy: z.boolean().default(true) }).strict(),
    // A test double: its Map is not a kernel structure, so the cost model charges nothing extra.
    capabilities: { filePins: false, extraAtomicsPerPin: 0, extraAtomicsPerUnpin: 0 },
  },
  create(ctx): PinPolicy {
    const pins = new Map<number, number>();
    const f = ctx.memory.frames;
    return {
      id: "test-exact",
      countsPins: true,
      checkFlags: (flags) => ((flags & FOLL_LONGTERM) !== 0 && (flags & FOLL_PIN) === 0 ? EINVAL : 0),
      grab(head, refs, mode) {
        if ((f.flags[head] & PG_ZERO) !== 0 && mode === "pin") return true;
        ctx.memory.get(head, refs);
        if (mode === "pin") pins.set(head, (pins.get(head) ?? 0) + refs);
        return true;
      },
      release(head, refs, mode) {
        if ((f.flags[head] & PG_ZERO) !== 0 && mode === "pin") return;
        if (mode === "pin") {
          const n = (pins.get(head) ?? 0) - refs;
          if (n <= 0) pins.delete(head);
          else pins.set(head, n);
        }
        ctx.memory.put(head, refs);
      },
      maybeDmaPinned: (pfn) => (pins.get(f.head(pfn)) ?? 0) > 0,
      pinCount: (head) => pins.get(head) ?? 0,
      refsForPins: (head, n) => ((f.flags[head] & PG_ZERO) !== 0 ? 0 : n),
      forkMustCopy: (_mm, head) => ctx.options.forkCopy && (pins.get(head) ?? 0) > 0,
      mustUnshare(vma, flags, pfn) {
        if ((flags & FOLL_PIN) === 0 || (flags & 1) !== 0) return false;
        const fl = f.flags[pfn];
        if ((fl & PG_ANON) === 0) return (flags & FOLL_LONGTERM) !== 0 && (vma === undefined || vma.isCow);
        return (fl & PG_ANON_EXCLUSIVE) === 0;
      },
      checkLongtermVma: (vma) => (vma.file?.fs.dax === true ? EOPNOTSUPP : 0),
      fastFolioAllowed: () => true,
      longtermPinnable(pfn) {
        const z2 = ctx.memory.zoneOf(pfn);
        return z2 !== ZoneId.MOVABLE && z2 !== ZoneId.CMA;
      },
      longtermFilePage: () => 0,
      releaseFilePages: () => undefined,
      checkTruncate: () => 0,
      setLease: () => EINVAL,
      filePins: () => [],
      accountingBytes: () => pins.size * 16,
    };
  },
});
