/**
 * The out-of-tree example plugin in docs/examples/fixed-buffer-ring: loaded by dynamic import the
 * way a loader would, registered, attached and exercised; and checked to type-check as JSDoc'd JS.
 */
import {
  doMmap, EBUSY, EFAULT, ENOMEM, HPAGE_PMD_SIZE, loadScenario, PAGE_SIZE, VM_READ, VM_WRITE, pluginView, PluginRegistrationError, readFileData, registerDevice, runScenario, userRead,
  userWrite, type DeviceDescriptor,
} from "@pinlab/core";
import { readFileSync } from "node:fs";
import { expectConsistent, testContainer } from "@pinlab/core/testing";
import { dirname, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import ts from "typescript";
import type { DependencyContainer } from "tsyringe";
import { describe, expect, it } from "vitest";
import { register } from "./index.js";
import { collect, Harness, outstanding } from "./test-support/harness.js";

const EXAMPLE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "../../../docs/examples/fixed-buffer-ring");
const EXAMPLE = resolve(EXAMPLE_DIR, "fixed-buffer-ring.mjs");

interface PluginModule {
  readonly default: DeviceDescriptor;
  readonly register: (container: DependencyContainer) => void;
}

async function load(): Promise<PluginModule> {
  return (await import(pathToFileURL(EXAMPLE).href)) as PluginModule;
}

const enc = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array | number) => new TextDecoder().decode(b as Uint8Array);

async function setup(options: Record<string, unknown> = {}, memlock?: number) {
  const mod = await load();
  const h = new Harness({ plugins: [mod.register] });
  h.attach("ring0", "fixed-buffer-ring", options);
  const p = h.spawn("p1", memlock);
  const buf = h.mmapAnon(p, "buf", 4);
  const k = h.inst.kernel;
  const data = k.createFile("data", "ext4", 4 * PAGE_SIZE);
  data.backing.set(0, enc("from disk"));
  return { h, p, buf, k, data, mod };
}

describe("example plugin: fixed-buffer-ring", () => {
  it("exports a descriptor made by defineDevice and a register function", async () => {
    const mod = await load();
    expect(mod.default.meta.id).toBe("fixed-buffer-ring");
    expect(Object.keys(mod.default.meta.actions)).toEqual(["register_buffers", "read_fixed", "write_fixed", "unregister"]);
    expect(mod.default.meta.options.parse({})).toEqual({ capIpcLock: false, latency: 0 });
  });

  it("registers buffers with a long-term writable pin, charged to RLIMIT_MEMLOCK", async () => {
    const { h, p } = await setup();
    const gups = collect(h.inst, "gup");
    expect(h.act("ring0", "register_buffers", { proc: "p1", addr: "buf", length: "8KiB", count: 2 })).toEqual({ ok: true, value: 2 });
    expect(gups.map((e) => [e.call, e.got, e.flags.includes("FOLL_LONGTERM"), e.flags.includes("FOLL_WRITE")])).toEqual([
      ["pin_user_pages_fast", 2, true, true],
      ["pin_user_pages_fast", 2, true, true],
    ]);
    expect(p.mm!.pinnedVm).toBe(4);
    expect(outstanding(h.inst).pin).toBe(4);
    expect(h.act("ring0", "register_buffers", { proc: "p1", addr: "buf", length: 4096 })).toMatchObject({ ok: false, errno: EBUSY });
    expect(h.inst.devices.get("ring0")!.view().frames.map((f) => f.label)).toEqual(["buf0:0", "buf0:1", "buf1:0", "buf1:1"]);
    expectConsistent(h.inst);
  });

  it("reads and writes through the registered pages without pinning again or dirtying them", async () => {
    const { h, p, buf, k, data } = await setup();
    expect(h.act("ring0", "register_buffers", { proc: "p1", addr: "buf", length: "8KiB" })).toMatchObject({ ok: true });
    const gups = collect(h.inst, "gup");
    expect(h.act("ring0", "read_fixed", { index: 0, offset: 4096, length: 4096, file: "data", file_offset: 0 })).toEqual({ ok: true, value: 4096 });
    expect(text(userRead(k, p, buf + 4096, 9))).toBe("from disk");
    expect(userWrite(k, p, buf, enc("from user"))).toBe(0);
    expect(h.act("ring0", "write_fixed", { index: 0, offset: 0, length: 512, file: "data", file_offset: "4KiB" })).toMatchObject({ ok: true });
    expect(text(readFileData(k, data, 4096, 9))).toBe("from user");
    expect(gups).toHaveLength(0);
    expect(h.act("ring0", "read_fixed", { index: 1, offset: 0, length: 1, file: "data", file_offset: 0 })).toMatchObject({ ok: false, errno: EFAULT });
    expect(h.act("ring0", "read_fixed", { index: 0, offset: "8KiB", length: 1, file: "data", file_offset: 0 })).toMatchObject({ ok: false, errno: EFAULT });
    expectConsistent(h.inst);
  });

  it("unregisters: unpins without dirtying and gives the memlock charge back", async () => {
    const { h, p, k } = await setup();
    k.createFile("shm", "shmem", PAGE_SIZE);
    h.mmapFile(p, "map", "shm", 1);
    expect(h.act("ring0", "register_buffers", { proc: "p1", addr: "map", length: 4096 })).toMatchObject({ ok: true });
    expect(h.act("ring0", "read_fixed", { index: 0, offset: 0, length: 4096, file: "data", file_offset: 0 })).toMatchObject({ ok: true });
    const releases = collect(h.inst, "release");
    expect(h.act("ring0", "unregister", {})).toMatchObject({ ok: true });
    // io_buffer_unmap(): a plain unpin_user_page per page, never the _dirty_lock variant.
    expect(releases.map((e) => [e.call, e.dirty])).toEqual([["unpin_user_page", false]]);
    expect(p.mm!.pinnedVm).toBe(0);
    expect(outstanding(h.inst)).toEqual({ get: 0, pin: 0 });
    expectConsistent(h.inst);
  });

  it("fails with ENOMEM past RLIMIT_MEMLOCK and with EFAULT on a partial pin, leaving nothing registered", async () => {
    const { h, p } = await setup({}, 2 * PAGE_SIZE);
    expect(h.act("ring0", "register_buffers", { proc: "p1", addr: "buf", length: "4KiB", count: 3 })).toMatchObject({ ok: false, errno: ENOMEM });
    expect(p.mm!.pinnedVm).toBe(0);
    expect(outstanding(h.inst)).toEqual({ get: 0, pin: 0 });
    expect(h.act("ring0", "register_buffers", { proc: "p1", addr: "buf+8KiB", length: "12KiB" })).toMatchObject({ ok: false, errno: EFAULT });
    expect(outstanding(h.inst)).toEqual({ get: 0, pin: 0 });
    expect(h.inst.devices.get("ring0")!.view().counters).toMatchObject({ buffers: 0, pagesPinned: 0 });
    expectConsistent(h.inst);
  });

  it("charges the user's locked_vm (checked) and the mm's pinned_vm (unchecked) as io_account_mem does, and gives both back", async () => {
    const { h, p } = await setup({}, 4 * PAGE_SIZE);
    expect(h.act("ring0", "register_buffers", { proc: "p1", addr: "buf", length: "12KiB" })).toMatchObject({ ok: true });
    expect([p.user.lockedVm, p.mm!.pinnedVm]).toEqual([3, 3]);
    expect(h.inst.devices.get("ring0")!.view().counters).toMatchObject({ pagesPinned: 3, acctPages: 3 });
    expect(h.act("ring0", "unregister", {})).toMatchObject({ ok: true });
    expect([p.user.lockedVm, p.mm!.pinnedVm]).toEqual([0, 0]);
  });

  it("checks locked_vm per user: a second process of the same user is refused, another user's is not, pinned_vm is per mm", async () => {
    const mod = await load();
    const h = new Harness({ plugins: [mod.register], kernel: { machine: { memory: "64MiB", memlock: "16KiB" } } });
    for (const r of ["ring0", "ring1", "ring2"]) h.attach(r, "fixed-buffer-ring");
    const [a, b] = [h.spawn("a"), h.spawn("b")];
    const c = h.inst.kernel.spawn("c", { uid: 1001 });
    for (const [proc, as] of [[a, "bufA"], [b, "bufB"], [c, "bufC"]] as const) h.mmapAnon(proc, as, 4);
    expect(h.act("ring0", "register_buffers", { proc: "a", addr: "bufA", length: "12KiB" })).toMatchObject({ ok: true });
    // __io_account_mem(): 3 + 3 pages of user 1000's locked_vm pass b's RLIMIT_MEMLOCK of 4, though b's mm has nothing pinned.
    expect(h.act("ring1", "register_buffers", { proc: "b", addr: "bufB", length: "12KiB" })).toMatchObject({ ok: false, errno: ENOMEM });
    expect(h.act("ring2", "register_buffers", { proc: "c", addr: "bufC", length: "12KiB" })).toMatchObject({ ok: true });
    expect([a.user.lockedVm, c.user.lockedVm, a.mm!.pinnedVm, b.mm!.pinnedVm, c.mm!.pinnedVm]).toEqual([3, 3, 3, 0, 3]);
    expect(outstanding(h.inst).pin).toBe(6);
    expectConsistent(h.inst);
  });

  it("charges a page of a huge page as the whole compound page, once per ring (io_buffer_account_pin, headpage_already_acct)", async () => {
    const mod = await load();
    const h = new Harness({ plugins: [mod.register] });
    h.attach("ring0", "fixed-buffer-ring");
    h.attach("ring1", "fixed-buffer-ring");
    const p = h.spawn("p1");
    const huge = doMmap(h.inst.kernel, p, { length: HPAGE_PMD_SIZE, prot: VM_READ | VM_WRITE, shared: false, anonymous: true, hugetlb: true });
    h.bindings.set("huge", huge);
    h.mmapAnon(p, "small", 1);
    // Two 4 KiB buffers in one huge page and one small page: 512 + 0 (already charged) + 1.
    expect(h.act("ring0", "register_buffers", { proc: "p1", addr: "huge", length: "4KiB", count: 2 })).toMatchObject({ ok: true });
    expect([p.user.lockedVm, p.mm!.pinnedVm]).toEqual([512, 512]);
    expect(h.act("ring1", "register_buffers", { proc: "p1", addr: "small", length: "4KiB" })).toMatchObject({ ok: true });
    expect(p.mm!.pinnedVm).toBe(513);
    expect(h.inst.devices.get("ring0")!.view().counters).toMatchObject({ pagesPinned: 2, acctPages: 512 });
    expect(h.act("ring0", "unregister", {})).toMatchObject({ ok: true });
    expect([p.user.lockedVm, p.mm!.pinnedVm]).toEqual([1, 1]);
    // Past RLIMIT_MEMLOCK: 4 KiB of a huge page costs 2 MiB, more than a 1 MiB limit.
    const q = h.inst.kernel.spawn("q", { memlock: 1 << 20, uid: 1001 });
    h.bindings.set("qhuge", doMmap(h.inst.kernel, q, { length: HPAGE_PMD_SIZE, prot: VM_READ | VM_WRITE, shared: false, anonymous: true, hugetlb: true }));
    expect(h.act("ring0", "register_buffers", { proc: "q", addr: "qhuge", length: "4KiB" })).toMatchObject({ ok: false, errno: ENOMEM });
    expect([q.user.lockedVm, q.mm!.pinnedVm, outstanding(h.inst).pin]).toEqual([0, 0, 1]);
    expectConsistent(h.inst);
  });

  it("with CAP_IPC_LOCK charges no user and checks nothing, but still adds to pinned_vm, past RLIMIT_MEMLOCK", async () => {
    const { h, p } = await setup({ capIpcLock: true }, PAGE_SIZE);
    expect(h.act("ring0", "register_buffers", { proc: "p1", addr: "buf", length: "16KiB" })).toMatchObject({ ok: true });
    expect([p.user.lockedVm, p.mm!.pinnedVm]).toEqual([0, 4]);
    expect(h.act("ring0", "unregister", {})).toMatchObject({ ok: true });
    expect([p.user.lockedVm, p.mm!.pinnedVm]).toEqual([0, 0]);
  });

  it("completes fixed IO after its latency, and refuses to unregister while IO is in flight", async () => {
    const { h, p, buf, k } = await setup({ latency: "20us" });
    expect(h.act("ring0", "register_buffers", { proc: "p1", addr: "buf", length: 4096 })).toMatchObject({ ok: true });
    expect(h.act("ring0", "read_fixed", { index: 0, offset: 0, length: 4096, file: "data", file_offset: 0 })).toMatchObject({ ok: true });
    expect(h.act("ring0", "unregister", {})).toMatchObject({ ok: false, errno: EBUSY });
    expect(text(userRead(k, p, buf, 4))).toBe("\0\0\0\0");
    k.clock.advance(20_000);
    expect(text(userRead(k, p, buf, 4))).toBe("from");
    expect(h.act("ring0", "unregister", {})).toMatchObject({ ok: true });
  });
});

describe("example scenario", () => {
  it("passes through the scenario engine with the plugin registered (here under the test policy)", async () => {
    const mod = await load();
    const c = testContainer();
    register(c);
    mod.register(c);
    const text = readFileSync(resolve(EXAMPLE_DIR, "fixed-buffer-ring.yaml"), "utf8");
    const report = runScenario(loadScenario(text, "fixed-buffer-ring.yaml", pluginView(c)), { container: c, checkInvariants: true });
    expect(report.results.map((r) => r.policy)).toEqual(["test-exact"]);
    const failures = report.results.flatMap((r) => [
      ...(r.error !== undefined ? [r.error] : []),
      ...r.steps.flatMap((st) => [
        ...(st.error !== undefined ? [`step ${st.index}: ${st.error}`] : []),
        ...st.expectations.filter((e) => !e.pass).map((e) => `step ${st.index} ${e.key}: expected ${JSON.stringify(e.expected)}, got ${JSON.stringify(e.actual)}`),
      ]),
    ]);
    expect(failures).toEqual([]);
    expect(report.results[0].steps.length).toBe(12);
  });
});

describe("registering plugins", () => {
  it("rejects a second plugin claiming an id, naming both sources", async () => {
    const mod = await load();
    const c = testContainer();
    register(c);
    mod.register(c);
    expect(() => mod.register(c)).toThrow(PluginRegistrationError);
    expect(() => mod.register(c)).toThrow(/"fixed-buffer-ring" is claimed twice: by docs\/examples\/fixed-buffer-ring and by docs\/examples\/fixed-buffer-ring/);
    const impostor = { ...mod.default, meta: { ...mod.default.meta, id: "rdma-mr" } };
    expect(() => registerDevice(c, impostor, "my-plugin.mjs")).toThrow(/"rdma-mr" is claimed twice: by @pinlab\/devices and by my-plugin\.mjs/);
  });

  it("rejects malformed descriptors", () => {
    const c = testContainer();
    expect(() => registerDevice(c, { meta: { id: "x" } } as unknown as DeviceDescriptor, "bad.mjs")).toThrow(/bad\.mjs: device "x" has no create\(\) function/);
    expect(() => registerDevice(c, {} as unknown as DeviceDescriptor, "bad.mjs")).toThrow(/must be an object with meta\.id/);
    expect(() => registerDevice(c, null as unknown as DeviceDescriptor, "bad.mjs")).toThrow(PluginRegistrationError);
  });

  it("the example type-checks as strict JSDoc-annotated JavaScript", { timeout: 60_000 }, () => {
    const program = ts.createProgram([EXAMPLE], {
      allowJs: true, checkJs: true, noEmit: true, strict: true, skipLibCheck: true,
      module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022,
    });
    const diags = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
    expect(diags).toEqual([]);
  });
});
