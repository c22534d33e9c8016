// Tiny fake policies for the bench's own tests and e2e, registered from a module specifier the
// way the CLI hands @pinlab/policies to the workers. They are not the real policies (those reach
// the bench only through the registry, in packages/cli's integration tests): just enough
// counting to make hazards, refusals and false positives differ.
//   fake-get   every grab a plain reference; maybeDmaPinned always false (like legacy-get)
//   fake-bias  FOLL_PIN adds `bias` (default 1024) to a small page's refcount; large folios an exact pincount
//   test-exact core's test double (@pinlab/core/testing)
import { EINVAL, EOPNOTSUPP, FOLL_LONGTERM, FOLL_PIN, PG_ANON, PG_ANON_EXCLUSIVE, PG_HEAD, PG_TAIL, PG_ZERO, ZoneId, definePinPolicy, registerPinPolicy } from "@pinlab/core";
import { testPolicy } from "@pinlab/core/testing";
import { z } from "zod";

/** Neither fake has file pins or a counter beside the refcount. */
const NOTHING_EXTRA = { filePins: false, extraAtomicsPerPin: 0, extraAtomicsPerUnpin: 0 };

const common = (ctx) => ({
  checkFlags: (flags) => ((flags & FOLL_LONGTERM) !== 0 && (flags & FOLL_PIN) === 0 ? EINVAL : 0),
  checkLongtermVma: (vma) => (vma.file?.fs.dax === true ? EOPNOTSUPP : 0),
  fastFolioAllowed: () => true,
  longtermFilePage: () => 0,
  releaseFilePages: () => undefined,
  checkTruncate: () => 0,
  setLease: () => EINVAL,
  filePins: () => [],
  accountingBytes: () => 0,
  longtermPinnable: (pfn) => {
    const zone = ctx.memory.zoneOf(pfn);
    return zone !== ZoneId.MOVABLE && zone !== ZoneId.CMA;
  },
});

export const fakeGet = definePinPolicy({
  meta: { id: "fake-get", summary: "test fake: plain references only", kernel: "test", options: z.object({}).strict(), capabilities: NOTHING_EXTRA },
  create(ctx) {
    const rc = ctx.memory.frames.refcount;
    return {
      id: "fake-get", countsPins: false, ...common(ctx),
      grab(head, refs) {
        if (rc[head] <= 0) return false;
        rc[head] += refs;
        return true;
      },
      release: (head, refs) => void ctx.memory.put(head, refs),
      maybeDmaPinned: () => false,
      pinCount: () => 0,
      refsForPins: (_head, n) => n,
      forkMustCopy: () => false,
      mustUnshare: () => false,
      longtermPinnable: () => true,
    };
  },
});

export const fakeBias = definePinPolicy({
  meta: { id: "fake-bias", summary: "test fake: a pin adds a bias to the refcount", kernel: "test", options: z.object({ bias: z.number().int().min(2).default(1024) }).strict(), capabilities: NOTHING_EXTRA },
  create(ctx) {
    const f = ctx.memory.frames;
    const bias = ctx.options.bias;
    const maybe = (pfn) => {
      const head = (f.flags[pfn] & PG_TAIL) === 0 ? pfn : f.head(pfn);
      return (f.flags[head] & PG_HEAD) !== 0 ? f.pincount[head] > 0 : f.refcount[head] >>> 0 >= bias;
    };
    return {
      id: "fake-bias", countsPins: true, ...common(ctx),
      grab(head, refs, mode) {
        if (f.refcount[head] <= 0) return false;
        if (mode === "get") f.refcount[head] += refs;
        else if ((f.flags[head] & PG_ZERO) !== 0) return true;
        else if ((f.flags[head] & PG_HEAD) !== 0) {
          f.refcount[head] += refs;
          f.pincount[head] += refs;
        } else f.refcount[head] += refs * bias;
        return true;
      },
      release(head, refs, mode) {
        if (mode === "pin") {
          if ((f.flags[head] & PG_ZERO) !== 0) return;
          if ((f.flags[head] & PG_HEAD) !== 0) f.pincount[head] -= refs;
          else refs *= bias;
        }
        ctx.memory.put(head, refs);
      },
      maybeDmaPinned: maybe,
      pinCount: (head) => ((f.flags[head] & PG_HEAD) !== 0 ? f.pincount[head] : Math.floor((f.refcount[head] >>> 0) / bias)),
      refsForPins: (head, n) => ((f.flags[head] & PG_ZERO) !== 0 ? 0 : (f.flags[head] & PG_HEAD) !== 0 ? n : n * bias),
      forkMustCopy: (_mm, head) => maybe(head),
      mustUnshare: (_vma, flags, pfn) => (flags & FOLL_PIN) !== 0 && (flags & 1) === 0 && (f.flags[pfn] & PG_ANON) !== 0 && (f.flags[pfn] & PG_ANON_EXCLUSIVE) === 0,
    };
  },
});

export function register(container) {
  registerPinPolicy(container, fakeGet, "bench/test-support");
  registerPinPolicy(container, fakeBias, "bench/test-support");
  registerPinPolicy(container, testPolicy, "bench/test-support");
}
