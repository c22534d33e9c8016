/** Executors of the GUP ops: gup, release, peek, poke. */
import type { HolderRef } from "../../events/event-types.js";
import { EPERM } from "../../errno.js";
import { FOLL_GET, FOLL_PIN, FOLL_WRITE, follFlags } from "../../gup/foll-flags.js";
import type { VaddrPinOwner } from "../../policy/pin-policy.js";
import type { GupHandle } from "../bindings.js";
import type { StepOf } from "../schema/steps.js";
import type { RunContext, StepOutcome } from "../run-context.js";
import { bytesToText, textToBytes } from "../strings.js";
import { gupStopReason } from "../gup-stop-reason.js";
import { PAGE_SIZE } from "../../sim/units.js";

/** The flags GUP walks with for `call`: the caller's plus FOLL_GET or FOLL_PIN, as the API adds them (`is_valid_gup_args()`, mm/gup.c). */
function walkFlags(call: string, flags: number): number {
  return flags | (call.startsWith("get") ? FOLL_GET : FOLL_PIN);
}

function holderOf(name: string): HolderRef {
  return { kind: "handle", name };
}

/** `gup`: pages taken, or an errno. Binds a handle under `as` (with the pages actually taken). */
export function runGup(ctx: RunContext, s: StepOf<"gup">): StepOutcome {
  const k = ctx.inst.kernel;
  const g = ctx.inst.gup;
  const proc = k.process(s.proc);
  const addr = ctx.bindings.addr(s.addr, "addr");
  const flags = follFlags(s.flags);
  const pages = new Uint32Array(s.pages);
  const name = s.as ?? `gup@${ctx.index}`;
  const opts = { holder: holderOf(name) };
  let owner: VaddrPinOwner | undefined;
  let r: number;
  // A call refused before it walked says why in its `gup` event's `reason`: kept for the step's message.
  let reason: string | undefined;
  const off = k.events.on("gup", (e) => { reason = e.reason ?? reason; });
  try {
    switch (s.call) {
      case "get_user_pages": r = g.getUserPages(proc, addr, s.pages, flags, pages, opts); break;
      case "get_user_pages_fast": r = g.getUserPagesFast(proc, addr, s.pages, flags, pages, opts); break;
      case "get_user_pages_remote": r = g.getUserPagesRemote(proc, addr, s.pages, flags, pages, { ...opts, locked: 1 }); break;
      case "get_user_pages_fast_only": r = g.getUserPagesFastOnly(proc, addr, s.pages, flags, pages, opts); break;
      case "pin_user_pages": r = g.pinUserPages(proc, addr, s.pages, flags, pages, opts); break;
      case "pin_user_pages_fast": r = g.pinUserPagesFast(proc, addr, s.pages, flags, pages, opts); break;
      case "pin_user_pages_remote": r = g.pinUserPagesRemote(proc, addr, s.pages, flags, pages, { ...opts, locked: 1 }); break;
      case "vaddr_pin_pages":
      case "vaddr_pin_pages_remote":
        owner = s.owner === undefined ? { pid: proc.pid } : "file" in s.owner ? { file: s.owner.file } : { pid: k.process(s.owner.mm).pid };
        r = s.call === "vaddr_pin_pages"
          ? g.vaddrPinPages(proc, addr, s.pages, flags, pages, owner, opts)
          : g.vaddrPinPagesRemote(proc, addr, s.pages, flags, pages, owner, opts);
        break;
    }
  } finally {
    off();
  }
  // A failed call binds no handle (the runner binds `as` to a marker naming this step).
  if (r < 0) {
    // A call refused before it walked said why in its event; a walk that stopped says nothing: ask the VMA rules.
    const why = reason ?? gupStopReason(k, proc, addr, walkFlags(s.call, flags));
    return { errno: -r, ...(why !== undefined ? { message: why } : {}) };
  }
  const taken = r;
  const family: GupHandle["family"] = s.call.startsWith("vaddr") ? "vaddr" : s.call.startsWith("pin") ? "pin" : "get";
  const handle: GupHandle = {
    name, call: s.call, family, pfns: Array.from(pages.subarray(0, taken)), pid: proc.pid, owner, writable: (flags & FOLL_WRITE) !== 0, released: taken === 0,
  };
  ctx.bindings.set(name, { kind: "handle", handle });
  if (taken < s.pages) {
    // A partial pin: say where and why the walk stopped (the caller gets the pages before it).
    const stop = addr + taken * PAGE_SIZE;
    const why = gupStopReason(k, proc, stop, walkFlags(s.call, flags)) ?? `the page at 0x${(Math.floor(stop / PAGE_SIZE) * PAGE_SIZE).toString(16)} could not be taken`;
    return { result: r, message: `took ${taken} of ${s.pages} pages: ${why}` };
  }
  return { result: r };
}

/**
 * `release`: put_page or unpin, as the handle requires, dirtying first when asked. The handle of
 * a failed `gup` holds nothing, so releasing it does nothing: a scenario whose gup fails under
 * some policies only (`expect_by_policy`) releases it under all.
 */
export function runRelease(ctx: RunContext, s: StepOf<"release">): StepOutcome {
  if (ctx.bindings.get(s.handle)?.kind === "failed") return {};
  const h = ctx.bindings.handle(s.handle, "handle");
  if (h.pfns.length === 0) return {};
  if (h.released) return { error: `handle "${h.name}" was already released` };
  const g = ctx.inst.gup;
  const opts = { holder: holderOf(h.name) };
  if (h.family === "get") g.putPages(h.pfns, h.pfns.length, { ...opts, dirty: s.dirty });
  else if (h.family === "pin") g.unpinUserPagesDirtyLock(h.pfns, h.pfns.length, s.dirty, opts);
  else g.vaddrUnpinPagesDirtyLock(h.pfns, h.pfns.length, h.owner ?? { pid: h.pid }, h.pid, s.dirty, opts);
  h.released = true;
  return {};
}

function checkHandleRange(h: GupHandle, offset: number, length: number): string | undefined {
  if (h.released) return `handle "${h.name}" was released`;
  if (offset + length > h.pfns.length * 4096) return `offset ${offset} + length ${length} is beyond the ${h.pfns.length} page(s) handle "${h.name}" holds`;
  return undefined;
}

/** `peek`: what a device holding the handle's frames would read there. */
export function runPeek(ctx: RunContext, s: StepOf<"peek">): StepOutcome {
  const h = ctx.bindings.handle(s.handle, "handle");
  const bad = checkHandleRange(h, s.offset, s.length);
  if (bad !== undefined) return { error: bad };
  return { result: bytesToText(ctx.inst.dma.read(holderOf(h.name), h.pfns, s.offset, s.length)) };
}

/**
 * `poke` (ext): a device holding the handle's frames writes there. A handle taken without
 * FOLL_WRITE was mapped for the device to read (`DMA_TO_DEVICE`): writing through it is refused
 * with EPERM, as rdma-mr refuses a write to a region registered without write access; the frames
 * may be the shared zero page, which nothing may write.
 */
export function runPoke(ctx: RunContext, s: StepOf<"poke">): StepOutcome {
  const h = ctx.bindings.handle(s.handle, "handle");
  const data = textToBytes(s.data);
  const bad = checkHandleRange(h, s.offset, data.length);
  if (bad !== undefined) return { error: bad };
  if (!h.writable) return { errno: EPERM };
  ctx.inst.dma.write(holderOf(h.name), h.pfns, s.offset, data);
  return {};
}
