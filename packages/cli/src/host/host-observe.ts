/**
 * The host's side of every expectation (issue 20): walks an `expect` block in the order
 * core's checkExpectations does (scenario/expect.ts), so each host observation pairs with the
 * model's result for the same key. A page is seen through `/proc/self/pagemap` (present, swapped,
 * exclusively mapped, the frame), `/proc/kpagecount` (mapcount) and `/proc/kpageflags` (zero page,
 * THP, dirty, writeback; the folio's size from its compound tail run); data through a read of the
 * process; file data through pread (or, for `from: disk`, the block device under the file's
 * extents); pin counters as `/proc/vmstat` deltas since the scenario began; `pinned_vm` as the
 * process's `VmPin`. The oracle's hazards, the policy's pin counts and the model's other
 * bookkeeping have no host counterpart and are reported as not observable, with why.
 * @module
 */
import { type Expectations, type PageExpectation, textToBytes } from "@pinlab/core";
import type { RunContext } from "@pinlab/core";
import { AgentCallError } from "./agent-client.js";
import { hexText, type HostOutcome } from "./host-outcome.js";
import { hexAddr, type HostSession } from "./host-session.js";
import { pollPinDelta, readVmstat } from "./vmstat.js";

/** One host observation: a value, or why there is none. */
export type Observation = { readonly host: unknown; readonly why?: string } | { readonly unobservable: string };

const PAGE_FIELDS = [
  "present", "refcount", "mapcount", "pincount", "maybe_dma_pinned", "dirty", "writeback", "writable", "anon_exclusive", "zero_page",
  "huge_zero_page", "pmd_mapped", "pud_mapped", "entire_mapcount", "folio_order", "zone", "orphan", "swapped", "device_private",
] as const;

/** Page fields the host cannot show, and why. */
const PAGE_UNOBSERVABLE: Partial<Record<(typeof PAGE_FIELDS)[number], string>> = {
  refcount: "no user interface shows a page's refcount (/proc/kpagecount is its mapcount)",
  pincount: "no user interface shows a page's pin count",
  maybe_dma_pinned: "no user interface shows folio_maybe_dma_pinned()",
  writable: "pagemap does not show whether the PTE is writable",
  pmd_mapped: "pagemap does not show how a page is mapped (PTE or PMD)",
  pud_mapped: "pagemap does not show how a page is mapped (PTE or PUD)",
  entire_mapcount: "no user interface shows a folio's entire mapcount",
  zone: "the host's zones are not the scenario's (it has no movable or CMA zone of its own)",
  orphan: "an orphan (a pinned page no longer mapped) cannot be found from user space",
  device_private: "no device-private memory on this host",
};

const NEEDS_ROOT = "needs root (/proc/kpagecount, /proc/kpageflags and PFNs)";

interface PageSeen {
  readonly present: boolean;
  readonly swapped: boolean;
  readonly exclusive: boolean;
  readonly pfn: number;
  readonly count?: number;
  readonly flags?: readonly string[];
  readonly order?: number;
}

async function seePage(s: HostSession, proc: string, addr: number, needFolio: boolean): Promise<PageSeen | string> {
  const a = s.agent(proc);
  if (a === undefined) return { present: false, swapped: false, exclusive: false, pfn: 0 };
  let pm: { present: boolean; swapped: boolean; exclusive: boolean; pfn: number };
  try {
    pm = ((await s.ask(a, { op: "pagemap", addr: hexAddr(addr), pages: 1 })) as { pages: typeof pm[] }).pages[0]!;
  } catch (e) {
    if (e instanceof AgentCallError) return `pagemap failed: ${e.code}`;
    throw e;
  }
  if (!pm.present || !s.facts.root || pm.pfn === 0) return pm;
  const kp = (await s.ask(a, { op: "kpage", pfn: pm.pfn })) as { count: number; flags: string[] };
  let order: number | undefined;
  if (needFolio) {
    const kf = (await s.ask(a, { op: "kfolio", pfn: pm.pfn })) as { nr: number };
    order = Number.isInteger(Math.log2(kf.nr)) ? Math.log2(kf.nr) : undefined;
  }
  return { ...pm, count: kp.count, flags: kp.flags, ...(order !== undefined ? { order } : {}) };
}

function pageField(f: (typeof PAGE_FIELDS)[number], p: PageSeen, root: boolean): Observation {
  const unobservable = PAGE_UNOBSERVABLE[f];
  if (unobservable !== undefined) return { unobservable };
  if (f === "present") return { host: p.present };
  if (f === "swapped") return { host: p.swapped };
  if (!p.present) return { host: "not present" };
  if (f === "anon_exclusive") return { host: p.exclusive, why: "pagemap bit 56: the page is mapped exactly once (PageAnonExclusive itself is not shown)" };
  if (!root || p.flags === undefined) return { unobservable: NEEDS_ROOT };
  const has = (n: string) => p.flags!.includes(n);
  switch (f) {
    case "mapcount": return { host: p.count };
    case "dirty": return { host: has("DIRTY") };
    case "writeback": return { host: has("WRITEBACK") };
    case "zero_page": return { host: has("ZERO_PAGE") && !has("THP") };
    case "huge_zero_page": return { host: has("ZERO_PAGE") && has("THP") };
    case "folio_order": return p.order !== undefined ? { host: p.order } : { unobservable: "the folio's compound run is not a power of two" };
  }
  return { unobservable: `page.${f} has no host counterpart` };
}

async function observePage(s: HostSession, ctx: RunContext, e: PageExpectation, out: Observation[]): Promise<void> {
  const addr = ctx.bindings.addr(e.addr, "page.addr");
  const wanted = PAGE_FIELDS.filter((f) => e[f] !== undefined);
  const dead = s.deadAt(addr);
  if (dead !== undefined) {
    for (let i = 0; i < wanted.length + (e.same_frame_as !== undefined ? 1 : 0); i++) out.push({ unobservable: `the mapping there is not on this host: ${dead}` });
    return;
  }
  const p = await seePage(s, e.proc, addr, wanted.includes("folio_order"));
  for (const f of wanted) out.push(typeof p === "string" ? { unobservable: p } : pageField(f, p, s.facts.root));
  const sf = e.same_frame_as;
  if (sf === undefined) return;
  if (!s.facts.root) {
    out.push({ unobservable: NEEDS_ROOT });
    return;
  }
  let other: number | undefined;
  if ("proc" in sf) {
    const q = await seePage(s, sf.proc, ctx.bindings.addr(sf.addr, "page.same_frame_as.addr"), false);
    other = typeof q === "string" || !q.present ? undefined : q.pfn;
  } else {
    const h = s.handles.get(sf.region);
    if (h === undefined) {
      out.push({ unobservable: `"${sf.region}" is held by nothing on the host` });
      return;
    }
    other = h.pfns[Math.floor((sf.offset ?? 0) / 4096)] || undefined;
  }
  const mine = typeof p === "string" || !p.present ? undefined : p.pfn;
  out.push({ host: mine !== undefined && other !== undefined && mine === other });
}

/** Host vmstat names of the model's counters (absent: the same name). */
const VMSTAT_NAME: Record<string, string> = { nr_migrated: "pgmigrate_success", nr_migrate_failed: "pgmigrate_fail" };
const MODEL_ONLY_COUNTERS: Record<string, string> = {
  nr_gup_get_acquired: "the kernel does not count FOLL_GET references",
  nr_gup_get_released: "the kernel does not count FOLL_GET references",
  nr_cow: "the kernel does not count COW faults",
  nr_fork_dma_copies: "the kernel does not count the pages fork copies for pins",
};

async function observeCounter(s: HostSession, name: string, model: unknown): Promise<Observation> {
  if (name === "nr_foll_pin_acquired" || name === "nr_foll_pin_released") {
    if (s.pins0 === undefined) return { unobservable: "no pin counters" };
    // Releases may land asynchronously (a ring's unpin runs in a work item): wait, at most a second, for the model's value.
    const key = name === "nr_foll_pin_acquired" ? "acquired" : "released";
    const { delta } = await pollPinDelta(s.pins0, (d) => d[key] === model, { timeoutMs: 1000 });
    return { host: delta[key], why: s.pins0.refreshed ? "a machine-wide counter: every process's pins count" : "a machine-wide counter, and not root: not folded first (stat_refresh), it may lag" };
  }
  const modelOnly = MODEL_ONLY_COUNTERS[name];
  if (modelOnly !== undefined) return { unobservable: modelOnly };
  const now = readVmstat();
  const hostName = VMSTAT_NAME[name] ?? name;
  const v = now.get(hostName);
  const v0 = s.vmstat0.get(hostName);
  if (v === undefined || v0 === undefined) return { unobservable: `/proc/vmstat has no ${hostName}` };
  return { host: v - v0, why: "a machine-wide counter: every process counts" };
}

/**
 * The process's `pinned_vm` in pages (`VmPin`). A ring's memory is given back when the ring is torn
 * down, asynchronously after close (io_uring's exit work): wait, at most a second, for the model's value.
 */
async function observePinnedVm(s: HostSession, proc: string, model: unknown): Promise<Observation> {
  const a = s.agent(proc);
  if (a === undefined) return { host: 0 };
  const want = (model as { pages?: unknown } | undefined)?.pages;
  const deadline = Date.now() + 1000;
  for (;;) {
    const pages = ((await s.ask(a, { op: "status" })) as { vmPinKb: number }).vmPinKb / 4;
    if (pages === want || Date.now() >= deadline) return { host: pages };
    await new Promise((r) => setTimeout(r, 20));
  }
}

const NOT_OBSERVABLE = {
  hazards: "the hazard oracle is the model's; on the host a hazard shows only through data",
  file_pins: "file pins (the vaddr_pin RFC) exist in no kernel",
  device_counters: "a model device's counters",
  now: "the model's virtual clock",
  faults: "the model's fault injection",
  invariants: "the model's own audit",
  locked_vm: "no user interface shows a user's locked_vm",
  invalidations: "no user interface counts MMU-notifier invalidations",
} as const;

/**
 * The host's observation for every key of one `expect` block, in the order core's
 * checkExpectations yields them (so they pair one to one); `model` holds the model's values in that
 * order (the pin counters are polled until the host reaches them, at most a second, because
 * unpinning may be asynchronous). `outcome` is the host's outcome of the step.
 */
export async function observeBlock(s: HostSession, ctx: RunContext, e: Expectations, outcome: HostOutcome, model: readonly unknown[]): Promise<Observation[]> {
  const out: Observation[] = [];
  const notRun = outcome.ran ? undefined : `the step did not run on the host: ${outcome.reason}`;
  const modelAt = () => model[out.length];
  if (e.ok !== undefined) out.push(notRun !== undefined ? { unobservable: notRun } : { host: outcome.ran && outcome.errno === null });
  if (e.errno !== undefined) out.push(notRun !== undefined ? { unobservable: notRun } : { host: outcome.ran ? outcome.errno : null });
  if (e.result !== undefined) {
    if (!outcome.ran) out.push({ unobservable: notRun! });
    else if (outcome.errno !== null) out.push({ host: null });
    else if (outcome.resultWhy !== undefined) out.push({ unobservable: outcome.resultWhy });
    else out.push({ host: outcome.result ?? null });
  }
  for (const p of e.page === undefined ? [] : Array.isArray(e.page) ? e.page : [e.page]) await observePage(s, ctx, p, out);
  for (const d of e.data === undefined ? [] : Array.isArray(e.data) ? e.data : [e.data]) {
    const a = s.agent(d.proc);
    const length = textToBytes(d.equals).length;
    const dead = s.deadAt(ctx.bindings.addr(d.addr, "data.addr"));
    if (dead !== undefined) {
      out.push({ unobservable: `the mapping there is not on this host: ${dead}` });
      continue;
    }
    if (a === undefined) {
      out.push({ host: "not mapped" });
      continue;
    }
    try {
      out.push({ host: hexText(((await s.ask(a, { op: "read", addr: hexAddr(ctx.bindings.addr(d.addr, "data.addr")), length })) as { hex: string }).hex) });
    } catch (err) {
      if (!(err instanceof AgentCallError)) throw err;
      out.push({ host: "not mapped" });
    }
  }
  for (const fd of e.file_data === undefined ? [] : Array.isArray(e.file_data) ? e.file_data : [e.file_data]) {
    const f = s.files.get(fd.file);
    if ("missing" in f) {
      out.push({ unobservable: f.missing });
      continue;
    }
    const length = Math.max(textToBytes(fd.equals).length, 1);
    if (fd.from === "disk" && !s.facts.root) {
      out.push({ unobservable: "reading the block device under the file needs root" });
      continue;
    }
    try {
      const r = (await s.ask(s.utility(), { op: fd.from === "disk" ? "disk_read" : "file_read", path: f.path, offset: fd.offset, length })) as { hex: string };
      out.push({ host: hexText(r.hex) });
    } catch (err) {
      if (!(err instanceof AgentCallError)) throw err;
      out.push({ unobservable: `${fd.from === "disk" ? "disk_read" : "pread"} failed: ${err.code}` });
    }
  }
  if (e.counters !== undefined) {
    for (const [name, want] of Object.entries(e.counters)) {
      if (name === "pinned_vm") {
        const o = await observePinnedVm(s, (want as { proc: string }).proc, modelAt());
        out.push("host" in o ? { host: { proc: (want as { proc: string }).proc, pages: o.host } } : o);
      } else if (name === "locked_vm") out.push({ unobservable: NOT_OBSERVABLE.locked_vm });
      else if (name === "invalidations") {
        for (const n of Object.values(want as Record<string, number | undefined>)) if (n !== undefined) out.push({ unobservable: NOT_OBSERVABLE.invalidations });
      } else out.push(await observeCounter(s, name, modelAt()));
    }
  }
  if (e.hazards !== undefined) {
    const n = Array.isArray(e.hazards) && e.hazards.length === 0 ? 1 : (Array.isArray(e.hazards) ? e.hazards.length : 1);
    for (let i = 0; i < n; i++) out.push({ unobservable: NOT_OBSERVABLE.hazards });
  }
  if (e.file_pins !== undefined) out.push({ unobservable: NOT_OBSERVABLE.file_pins });
  if (e.device_counters !== undefined) {
    const { device: _d, ...want } = e.device_counters;
    for (const _ of Object.keys(want)) out.push({ unobservable: NOT_OBSERVABLE.device_counters });
  }
  if (e.now !== undefined) out.push({ unobservable: NOT_OBSERVABLE.now });
  if (e.faults !== undefined) {
    for (const want of Object.values(e.faults)) for (const _ of Object.keys(want ?? {})) out.push({ unobservable: NOT_OBSERVABLE.faults });
  }
  if (e.invariants === true) out.push({ unobservable: NOT_OBSERVABLE.invariants });
  return out;
}
