/**
 * The GUP checks of issue 18's table, run in a model child: order-0 pin and unpin against a
 * warmed bare typed-array loop over the same frames, huge folios per 4 KiB subpage, and one call
 * of one page. Like `gup_test` (mm/gup_test.c, v6.12: `get_delta_usec` and `put_delta_usec`), the
 * grab loop and the release loop are timed separately over faulted anonymous memory in batches,
 * and verification (every page taken, every pin given back) stays outside the timed windows.
 * @module
 */
import { FOLL_LONGTERM, FOLL_WRITE, PAGE_SIZE, VM_READ, VM_WRITE, doMadvise, doMmap, touchRange, type KernelInstance, type Process } from "@pinlab/core";
import type { DependencyContainer } from "tsyringe";
import type { HugeSamples, ModelChildResult } from "./model-checks.js";
import { GiB, MiB, gc, kernel, scaled, timeNs } from "./model-child-support.js";

/** Pages per call, as in `gup_test -n 512`. */
export const MODEL_BATCH = 512;
/** Untimed passes of every loop before the first timed one (the JIT compiles them). */
export const MODEL_WARMUP = 3;
/** Timed samples of every loop. */
export const MODEL_SAMPLES = 11;
/** The flags of every pin: `FOLL_WRITE | FOLL_LONGTERM`, as `gup_test -L -w`. */
const PIN_FLAGS = FOLL_WRITE | FOLL_LONGTERM;
const PIN_FLAG_NAMES = "FOLL_WRITE|FOLL_LONGTERM";

/** Faulted anonymous memory of one process, and the page array its pins fill. */
interface Region {
  readonly inst: KernelInstance;
  readonly proc: Process;
  readonly addr: number;
  readonly pages: Uint32Array;
}

/** Map `bytes` of private anonymous memory (`kind` huge when asked) and write-fault all of it. */
function faulted(inst: KernelInstance, bytes: number, kind: "order0" | "thp" | "hugetlb"): Region {
  const k = inst.kernel;
  const proc = k.spawn(kind);
  const addr = doMmap(k, proc, { length: bytes, prot: VM_READ | VM_WRITE, shared: false, anonymous: true, hugetlb: kind === "hugetlb" });
  if (addr < 0) throw new Error(`mmap of ${bytes} bytes of ${kind} memory failed (${-addr})`);
  if (kind === "thp") {
    const r = doMadvise(k, proc, addr, bytes, "hugepage");
    if (r < 0) throw new Error(`MADV_HUGEPAGE failed (${-r})`);
  }
  const r = touchRange(k, proc, addr, bytes, true);
  if (r < 0) throw new Error(`faulting ${bytes} bytes of ${kind} memory failed (${-r})`);
  return { inst, proc, addr, pages: new Uint32Array(bytes / PAGE_SIZE) };
}

/** The batched pin and unpin loops over a whole region (the closures are made once and reused by every pass). */
function batchLoops(r: Region): { pin: () => void; unpin: () => void } {
  const g = r.inst.gup;
  const { proc, addr, pages } = r;
  const n = pages.length;
  return {
    pin() {
      for (let i = 0; i < n; i += MODEL_BATCH) {
        const nr = Math.min(MODEL_BATCH, n - i);
        const got = g.pinUserPagesFast(proc, addr + i * PAGE_SIZE, nr, PIN_FLAGS, pages.subarray(i, i + nr));
        if (got !== nr) throw new Error(`pin_user_pages_fast of ${nr} pages at page ${i} returned ${got}`);
      }
    },
    unpin() {
      for (let i = 0; i < n; i += MODEL_BATCH) {
        const nr = Math.min(MODEL_BATCH, n - i);
        g.unpinUserPages(pages.subarray(i, i + nr), nr);
      }
    },
  };
}

/** Throw unless every frame of `pages` is back to no pin (verification, outside the timed windows). */
function verifyReleased(inst: KernelInstance, pages: Uint32Array): void {
  const f = inst.kernel.frames;
  const refs = inst.gup.pinRefs;
  let leaked = 0;
  for (let i = 0; i < pages.length; i++) if (refs[f.head(pages[i])] !== 0) leaked++;
  if (leaked > 0) throw new Error(`${leaked} of ${pages.length} pages are still pinned after unpin_user_pages`);
}

/**
 * Order-0 pin or unpin of 1 GiB (times `scale`), batches of {@link MODEL_BATCH}, and the bare
 * loop `refcount[pfn] += 1` (or `-= 1`) over the same frames: both closures made once, warmed
 * {@link MODEL_WARMUP} times, then sampled alternately {@link MODEL_SAMPLES} times.
 */
function order0(c: DependencyContainer, policy: string, scale: number, phase: "pin" | "unpin"): ModelChildResult {
  const bytes = scaled(GiB, scale);
  const inst = kernel(c, policy, bytes + 64 * MiB);
  const r = faulted(inst, bytes, "order0");
  const { pin, unpin } = batchLoops(r);
  const n = r.pages.length;
  const pages = r.pages;
  const rc = inst.kernel.frames.refcount;
  // The floor: what a pin does at the least, one typed-array update per frame.
  const barePin = (): void => {
    for (let i = 0; i < n; i++) rc[pages[i]] += 1;
  };
  const bareUnpin = (): void => {
    for (let i = 0; i < n; i++) rc[pages[i]] -= 1;
  };
  for (let i = 0; i < MODEL_WARMUP; i++) {
    pin();
    unpin();
    barePin();
    bareUnpin();
  }
  const gup: number[] = [];
  const bare: number[] = [];
  for (let s = 0; s < MODEL_SAMPLES; s++) {
    gc();
    if (phase === "pin") {
      gup.push(timeNs(pin) / n);
      unpin();
      bare.push(timeNs(barePin) / n);
      bareUnpin();
    } else {
      pin();
      gup.push(timeNs(unpin) / n);
      barePin();
      bare.push(timeNs(bareUnpin) / n);
    }
  }
  verifyReleased(inst, pages);
  return { check: phase === "pin" ? "pin-order0" : "unpin-order0", policy, bytes, batch: MODEL_BATCH, flags: PIN_FLAG_NAMES, warmup: MODEL_WARMUP, samples: { gup, bare } };
}

/**
 * Run `pin` then `unpin` {@link MODEL_WARMUP} times untimed, then {@link MODEL_SAMPLES} timed
 * pairs (after a GC each): ns per unit, `per` units a run.
 */
function pinThenUnpinSamples(pin: () => void, unpin: () => void, per: number): { pin: number[]; unpin: number[] } {
  for (let i = 0; i < MODEL_WARMUP; i++) {
    pin();
    unpin();
  }
  const out = { pin: [] as number[], unpin: [] as number[] };
  for (let s = 0; s < MODEL_SAMPLES; s++) {
    gc();
    out.pin.push(timeNs(pin) / per);
    out.unpin.push(timeNs(unpin) / per);
  }
  return out;
}

/** `pin-order0`: pin_user_pages_fast of order-0 pages against the warmed bare increment loop. */
export function pinOrder0(c: DependencyContainer, policy: string, scale: number): ModelChildResult {
  return order0(c, policy, scale, "pin");
}

/** `unpin-order0`: unpin_user_pages of order-0 pages against the warmed bare decrement loop. */
export function unpinOrder0(c: DependencyContainer, policy: string, scale: number): ModelChildResult {
  return order0(c, policy, scale, "unpin");
}

/**
 * `huge`: pin and unpin per 4 KiB subpage of 1 GiB (times `scale`) of THP (MADV_HUGEPAGE) and
 * of hugetlb memory, batches of {@link MODEL_BATCH} subpages (one 2 MiB folio a call).
 */
export function huge(c: DependencyContainer, policy: string, scale: number): ModelChildResult {
  const bytes = scaled(GiB, scale);
  const inst = kernel(c, policy, 2 * bytes + 64 * MiB);
  const kinds: HugeSamples[] = (["thp", "hugetlb"] as const).map((kind) => {
    const r = faulted(inst, bytes, kind);
    const { pin, unpin } = batchLoops(r);
    const n = r.pages.length;
    const samples = pinThenUnpinSamples(pin, unpin, n);
    verifyReleased(inst, r.pages);
    return { kind, subpages: n, order: inst.kernel.frames.order[r.pages[0]], ...samples };
  });
  return { check: "huge", policy, bytes, batch: MODEL_BATCH, flags: PIN_FLAG_NAMES, warmup: MODEL_WARMUP, kinds };
}

/**
 * `call`: 65,536 (times `scale`) pin_user_pages_fast calls of one page each, then as many
 * unpin_user_pages calls of one page: ns per call. One reused one-entry page array per call, so
 * the loop allocates nothing.
 */
export function call(c: DependencyContainer, policy: string, scale: number): ModelChildResult {
  const calls = Math.max(MODEL_BATCH, Math.round(65_536 * scale));
  const inst = kernel(c, policy, calls * PAGE_SIZE + 64 * MiB);
  const r = faulted(inst, calls * PAGE_SIZE, "order0");
  const g = inst.gup;
  const { proc, addr, pages } = r;
  const one = new Uint32Array(1);
  const pinCalls = (): void => {
    for (let i = 0; i < calls; i++) {
      const got = g.pinUserPagesFast(proc, addr + i * PAGE_SIZE, 1, PIN_FLAGS, one);
      if (got !== 1) throw new Error(`pin_user_pages_fast of page ${i} returned ${got}`);
      pages[i] = one[0];
    }
  };
  const unpinCalls = (): void => {
    for (let i = 0; i < calls; i++) {
      one[0] = pages[i];
      g.unpinUserPages(one, 1);
    }
  };
  const { pin, unpin } = pinThenUnpinSamples(pinCalls, unpinCalls, calls);
  verifyReleased(inst, pages);
  return { check: "call", policy, calls, flags: PIN_FLAG_NAMES, warmup: MODEL_WARMUP, pin, unpin };
}
