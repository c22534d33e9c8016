/**
 * GUP steps and device actions on the host (issue 20). A long-term writable pin
 * (`pin_user_pages*` with FOLL_WRITE, an `rdma-mr` region, a `fixed-buffer-ring` registration) is an
 * io_uring fixed buffer: io_uring/rsrc.c io_sqe_buffers_register -> io_pin_pages ->
 * pin_user_pages_fast(FOLL_WRITE | FOLL_LONGTERM). A device's DMA through it is fixed-buffer IO
 * against a scratch memfd (IORING_OP_READ_FIXED writes the pinned frames, WRITE_FIXED reads them).
 * A FOLL_GET reference without FOLL_WRITE (`get_user_pages*`) is vmsplice into a pipe held until
 * release (fs/splice.c vmsplice_to_pipe -> iov_iter_get_pages2 -> get_user_pages_fast), read with
 * tee. `direct-io` is O_DIRECT pread / pwrite (FOLL_PIN for the IO's duration), done within the step.
 * @module
 */
import { parseSize, type RunContext, type StepOf } from "@pinlab/core";
import { attempt, dataHex, hexText, type HostPlan } from "./host-outcome.js";
import { hexAddr, type HostSession } from "./host-session.js";

const PAGE = 4096;

/** The flags a host pin can honour: io_uring pins with exactly FOLL_WRITE | FOLL_LONGTERM. */
const RING_FLAGS = new Set(["FOLL_WRITE", "FOLL_LONGTERM"]);

/** Register `[at, at + length)` of `proc` as a ring's buffer, remembering it as handle `name`. */
function registerRing(s: HostSession, proc: string, name: string | undefined, at: number, length: number, approx?: string): HostPlan {
  const dead = s.deadAt(at);
  if (dead !== undefined) return { skip: `the mapping there is not on this host: ${dead}` };
  const a = s.agent(proc);
  if (a === undefined) return { skip: `process "${proc}" is not running on the host` };
  return { run: () => attempt(async () => {
    const r = await s.ask(a, { op: "iouring_register", addr: hexAddr(at), length });
    const pfns = await s.frames(proc, at, Math.ceil(length / PAGE));
    if (name !== undefined) s.handles.set(name, { kind: "ring", id: r["ring"] as number, proc, addr: at, length, pfns });
    return approx !== undefined ? { approx } : {};
  }) };
}

/** Release handle `name` (unregister its ring, or close its pipe). */
function releaseHandle(s: HostSession, name: string, approx?: string): HostPlan {
  const h = s.handles.get(name);
  if (h === undefined) return { skip: `"${name}" is held by nothing on the host (its taking step did not run, or its process exited)` };
  const a = s.agent(h.proc);
  if (a === undefined) return { skip: `process "${h.proc}" is not running on the host` };
  return { run: () => attempt(async () => {
    await s.ask(a, h.kind === "ring" ? { op: "iouring_unregister", ring: h.id } : { op: "pipe_release", pipe: h.id });
    s.handles.delete(name);
    return approx !== undefined ? { approx } : {};
  }) };
}

/** A device reading `length` bytes at `offset` of handle `name`. */
function readHandle(s: HostSession, name: string, offset: number, length: number): HostPlan {
  const h = s.handles.get(name);
  if (h === undefined) return { skip: `"${name}" is held by nothing on the host` };
  const a = s.agent(h.proc);
  if (a === undefined) return { skip: `process "${h.proc}" is not running on the host` };
  return { run: () => attempt(async () => {
    const r = await s.ask(a, h.kind === "ring" ? { op: "iouring_dma_read", ring: h.id, offset, length } : { op: "pipe_peek", pipe: h.id, offset, length });
    return { result: hexText(r["hex"] as string) };
  }) };
}

/** A device writing `data` at `offset` of handle `name`. */
function writeHandle(s: HostSession, name: string, offset: number, data: string, result: "bytes" | "none"): HostPlan {
  const h = s.handles.get(name);
  if (h === undefined) return { skip: `"${name}" is held by nothing on the host` };
  if (h.kind === "pipe") return { skip: "a vmsplice reference is read-only: nothing writes through it" };
  const a = s.agent(h.proc);
  if (a === undefined) return { skip: `process "${h.proc}" is not running on the host` };
  return { run: () => attempt(async () => {
    const r = await s.ask(a, { op: "iouring_dma_write", ring: h.id, offset, hex: dataHex(data) });
    return result === "bytes" ? { result: r["written"] } : {};
  }) };
}

function planGup(s: HostSession, ctx: RunContext, step: StepOf<"gup">): HostPlan {
  const at = ctx.bindings.addr(step.addr, "addr");
  const length = step.pages * PAGE;
  const flags = step.flags;
  if (step.call.startsWith("vaddr_pin")) return { skip: "vaddr_pin_pages (the 2019 RFC) was never merged: no kernel has it" };
  if (step.call.startsWith("pin_user_pages")) {
    if (!flags.includes("FOLL_WRITE")) return { skip: "no user API holds a read-only FOLL_PIN across calls (io_uring pins with FOLL_WRITE; O_DIRECT only during the IO)" };
    const other = flags.filter((f) => !RING_FLAGS.has(f));
    if (other.length > 0) return { skip: `io_uring pins with FOLL_WRITE | FOLL_LONGTERM only; ${other.join(" | ")} has no host equivalent` };
    if (!flags.includes("FOLL_LONGTERM") && s.sharedExt4(at, length)) {
      return { skip: "a short-term pin of a shared ext4 page has no host equivalent: io_uring pins with FOLL_LONGTERM, which check_vma_flags() refuses there" };
    }
    const notes = [
      ...(flags.includes("FOLL_LONGTERM") ? [] : ["pinned with FOLL_LONGTERM added (io_uring fixed buffer)"]),
      ...(step.call === "pin_user_pages_remote" ? ["the target process pins its own pages"] : []),
    ];
    const plan = registerRing(s, step.proc, step.as, at, length, notes.length > 0 ? notes.join("; ") : undefined);
    if ("skip" in plan) return plan;
    return { run: async (m) => {
      const r = await plan.run(m);
      if (r.ran && r.errno === null) return { ...r, result: step.pages };
      // io_pin_pages(): fewer pages than asked is EFAULT, after unpinning them; GUP's partial count has no equivalent.
      if (r.ran && r.errno === "EFAULT" && typeof m.result === "number" && m.result > 0 && m.result < step.pages) {
        return { ...r, approx: "io_uring pins all or nothing (io_pin_pages: a partial pin is EFAULT, after unpinning what it took)" };
      }
      return r;
    } };
  }
  // get_user_pages*: FOLL_GET, taken by vmsplice without FOLL_WRITE.
  const dead = s.deadAt(at);
  if (dead !== undefined) return { skip: `the mapping there is not on this host: ${dead}` };
  if (flags.length > 0) return { skip: `vmsplice takes its references without flags; ${flags.join(" | ")} has no host equivalent` };
  const a = s.agent(step.proc);
  if (a === undefined) return { skip: `process "${step.proc}" is not running on the host` };
  const approx = step.call === "get_user_pages_fast_only" ? "vmsplice faults pages in; get_user_pages_fast_only does not" : step.call === "get_user_pages_remote" ? "the target process takes its own references" : undefined;
  return { run: () => attempt(async () => {
    const r = await s.ask(a, { op: "vmsplice", addr: hexAddr(at), length });
    const pfns = await s.frames(step.proc, at, step.pages);
    if (step.as !== undefined) s.handles.set(step.as, { kind: "pipe", id: r["pipe"] as number, proc: step.proc, addr: at, length, pfns });
    return { result: Math.ceil((r["spliced"] as number) / PAGE), ...(approx !== undefined ? { approx } : {}) };
  }) };
}

/** Plan a gup, release, peek, poke or device step. */
export function deviceStep(s: HostSession, ctx: RunContext, step: StepOf<"gup" | "release" | "peek" | "poke" | "device">): HostPlan {
  switch (step.op) {
    case "gup": return planGup(s, ctx, step);
    case "release": return releaseHandle(s, step.handle, step.dirty ? "the host does not dirty the pages on release (io_uring and pipes unpin without set_page_dirty)" : undefined);
    case "peek": return readHandle(s, step.handle, step.offset, step.length);
    case "poke": return writeHandle(s, step.handle, step.offset, step.data, "none");
    case "device": return planDevice(s, ctx, step);
  }
}

function planDevice(s: HostSession, ctx: RunContext, step: StepOf<"device">): HostPlan {
  const dev = ctx.scenario.header.devices.find((d) => d.name === step.device);
  const kind = dev?.kind ?? "?";
  const f = step as unknown as Record<string, unknown>;
  // Device fields arrive as written (the device's schema parses them in the model): sizes may be "16KiB".
  const num = (k: string, dflt = 0) => {
    const p = f[k] === undefined ? undefined : parseSize(f[k]);
    return p !== undefined && p.ok ? p.value : dflt;
  };
  const str = (k: string) => String(f[k] ?? "");
  if (kind === "rdma-mr") {
    switch (step.action) {
      case "reg_mr": {
        const access = Array.isArray(f["access"]) ? (f["access"] as string[]) : [];
        if (!access.includes("local_write")) return { skip: "a region without local_write pins without FOLL_WRITE; io_uring always pins writable" };
        const plan = registerRing(s, str("proc"), step.as, ctx.bindings.addr(f["addr"], "addr"), num("length"), "an io_uring fixed buffer stands for the region");
        if ("skip" in plan) return plan;
        return { run: async (m) => {
          const r = await plan.run(m);
          return r.ran && r.errno === null ? { ...r, result: step.as ?? null } : r;
        } };
      }
      case "dereg_mr": return releaseHandle(s, str("region"), "io_uring unregisters without dirtying the pages (ib_umem_release dirties a writable region)");
      case "dma_write": return writeHandle(s, str("region"), num("offset"), str("data"), "bytes");
      case "dma_read": return readHandle(s, str("region"), num("offset"), num("length"));
    }
  }
  if (kind === "fixed-buffer-ring") {
    if (step.action === "register_buffers") {
      if (num("count", 1) !== 1) return { skip: "the agent registers one buffer per ring" };
      const plan = registerRing(s, str("proc"), step.device, ctx.bindings.addr(f["addr"], "addr"), num("length"));
      if ("skip" in plan) return plan;
      return { run: async (m) => {
        const r = await plan.run(m);
        return r.ran && r.errno === null ? { ...r, result: 1 } : r;
      } };
    }
    if (step.action === "unregister") return releaseHandle(s, step.device);
  }
  if (kind === "direct-io" && (step.action === "read" || step.action === "write")) {
    const file = s.files.get(str("file"));
    if ("missing" in file) return { skip: `file "${str("file")}": ${file.missing}` };
    const a = s.agent(str("proc"));
    if (a === undefined) return { skip: `process "${str("proc")}" is not running on the host` };
    const at = ctx.bindings.addr(f["addr"], "addr");
    const dead = s.deadAt(at);
    if (dead !== undefined) return { skip: `the mapping there is not on this host: ${dead}` };
    return { run: () => attempt(async () => {
      await s.ask(a, { op: "dio", path: file.path, offset: num("offset"), addr: hexAddr(at), length: num("length"), write: step.action === "write" });
      return { result: step.as ?? null, approx: "the IO completes within the step (the model's completes after its latency)" };
    }) };
  }
  const why: Record<string, string> = {
    "odp-mirror": "ODP needs an RDMA device with on-demand paging; this host has none",
    "hmm-dmirror": "hmm-dmirror is the test_hmm module (lib/test_hmm.c), not loaded on this host",
  };
  return { skip: why[kind] ?? `device kind "${kind}", action ${step.action}, has no host equivalent` };
}
