// The host agent on the real kernel (issue 20). On Linux with a C compiler it compiles and drives
// the agent; as root it also checks PFNs, /proc/kpagecount, /proc/kpageflags and the exact
// nr_foll_pin_* deltas of an io_uring fixed-buffer registration (io_uring/rsrc.c
// io_sqe_buffers_register: one FOLL_WRITE | FOLL_LONGTERM pin per 4 KiB page). Elsewhere it skips
// with the reason; on Linux as root with a compiler nothing here may skip.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statfsSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AgentCallError, AgentClient } from "./agent-client.js";
import { takeHostLock } from "./host-lock.js";
import { agentBinaryName, buildAgent } from "./agent-build.js";
import { type AgentProt, type HexAddr } from "./protocol.js";
import { pinDelta, pollPinDelta, readPinCounters, type PinDelta } from "./vmstat.js";

const compiler = process.env["CC"] !== undefined && process.env["CC"] !== "" ? process.env["CC"] : "cc";
const hasCompiler = spawnSync(compiler, ["--version"], { encoding: "utf8" }).status === 0;
const isRoot = process.getuid?.() === 0;
const skipReason = process.platform !== "linux" ? `not Linux (${process.platform})` : !hasCompiler ? `no C compiler ("${compiler}" did not run)` : undefined;
const rootReason = isRoot ? undefined : "not root: PFNs, kpagecount/kpageflags and stat_refresh need root";
/** statfs f_type magics (include/uapi/linux/magic.h): EXT4_SUPER_MAGIC, XFS_SUPER_MAGIC. */
const BLOCK_FS = new Map([[0xef53, "ext4"], [0x58465342, "xfs"]]);
const tmpFs = process.platform === "linux" ? BLOCK_FS.get(statfsSync(tmpdir()).type) : undefined;
const PAGES = 8;

describe("building the host agent", () => {
  it("names the compiler when it is missing", () => {
    const cacheDir = mkdtempSync(join(tmpdir(), "pinlab-agent-"));
    try {
      expect(() => buildAgent({ compiler: "/nonexistent/pinlab-cc", cacheDir })).toThrow(/C compiler "\/nonexistent\/pinlab-cc" not found/);
    } finally {
      rmSync(cacheDir, { recursive: true, force: true });
    }
  });

  it.skipIf(skipReason !== undefined)(`gives the compiler's first error line${skipReason !== undefined ? ` (skipped: ${skipReason})` : ""}`, () => {
    const cacheDir = mkdtempSync(join(tmpdir(), "pinlab-agent-"));
    try {
      const source = join(cacheDir, "broken.c");
      writeFileSync(source, "int main(void) { return undefined_thing; }\n");
      expect(() => buildAgent({ source, cacheDir })).toThrow(/failed \(status 1\) on .*broken\.c: .*undefined_thing/);
    } finally {
      rmSync(cacheDir, { recursive: true, force: true });
    }
  });
});

if (process.platform === "linux" && isRoot) {
  describe("host agent on Linux as root", () => {
    it("runs every host case (issue 20: a skip here is a failure)", () => {
      expect(skipReason).toBeUndefined();
      expect(tmpFs).toBeDefined();
    });
  });
}

if (skipReason !== undefined) {
  describe("host agent on the real kernel", () => {
    // Not a skip: it runs, and says why the cases below cannot (no Linux, or no C compiler).
    it(`cannot run here: ${skipReason}`, () => {
      expect(process.platform !== "linux" || !hasCompiler).toBe(true);
    });
  });
} else {
  describe("host agent on the real kernel", () => {
    let cacheDir: string;
    let agent: AgentClient;
    let pageSize: number;
    let releaseLock: () => void = () => undefined;
    beforeAll(async () => {
      // The pin counters are machine-wide: hold the host lock so a `pinlab host` test in another
      // worker does not pin while these deltas are measured (and the other way round).
      releaseLock = await takeHostLock(() => undefined);
      cacheDir = mkdtempSync(join(tmpdir(), "pinlab-agent-"));
      const built = buildAgent({ cacheDir });
      expect(built.cached).toBe(false);
      expect(buildAgent({ cacheDir })).toEqual({ ...built, cached: true });
      expect(built.path).toMatch(/host-agent-[0-9a-f]{16}$/);
      agent = AgentClient.spawn(built.path);
    });
    afterAll(async () => {
      await agent?.close();
      rmSync(cacheDir, { recursive: true, force: true });
      releaseLock();
    });
    const at = (base: HexAddr, offset: number): HexAddr => `0x${(BigInt(base) + BigInt(offset)).toString(16)}`;

    it("keys the cache by the source's sha256", () => {
      expect(agentBinaryName("int main(void){}")).toBe(agentBinaryName(Buffer.from("int main(void){}")));
      expect(agentBinaryName("a")).not.toBe(agentBinaryName("b"));
    });

    it("says hello with its pid, page size and uid", async () => {
      const hello = await agent.call({ op: "hello" });
      expect(hello.uid).toBe(process.getuid!());
      expect(hello.pid).toBeGreaterThan(0);
      pageSize = hello.pageSize;
      expect(pageSize).toBeGreaterThanOrEqual(4096);
    });

    it("maps anonymous pages, writes, sees them present and exclusive, reads back", async () => {
      const len = PAGES * pageSize;
      const { addr } = await agent.call({ op: "mmap", length: len, prot: "rw", flags: "private", backing: "anon" });
      expect((await agent.call({ op: "pagemap", addr, pages: PAGES })).pages.every((p) => !p.present)).toBe(true);
      await agent.call({ op: "write", addr, text: "pinlab" });
      await agent.call({ op: "write", addr: at(addr, 7 * pageSize), hex: "00ff10" });
      expect(await agent.call({ op: "touch", addr, length: len, write: true })).toEqual({ pages: PAGES });
      const { pages } = await agent.call({ op: "pagemap", addr, pages: PAGES });
      expect(pages.map((p) => [p.present, p.exclusive, p.swapped, p.file])).toEqual(Array(PAGES).fill([true, true, false, false]));
      expect(await agent.call({ op: "read", addr, length: 6 })).toEqual({ hex: Buffer.from("pinlab").toString("hex") });
      expect(await agent.call({ op: "read", addr: at(addr, 7 * pageSize), length: 4 })).toEqual({ hex: "00ff1000" });
      if (rootReason === undefined) {
        expect(pages.every((p) => p.pfn > 0)).toBe(true);
        const kpage = await agent.call({ op: "kpage", pfn: pages[0]!.pfn });
        expect(kpage.count).toBe(1);
        expect(kpage.flags).toContain("ANON");
      } else {
        expect(pages.every((p) => p.pfn === 0)).toBe(true);
      }
      await agent.call({ op: "madvise", addr, length: len, advice: "dontneed" });
      expect((await agent.call({ op: "pagemap", addr, pages: PAGES })).pages.some((p) => p.present)).toBe(false);
      await agent.call({ op: "munmap", addr, length: len });
    });

    it.skipIf(rootReason !== undefined)(`pins 8 pages with io_uring: acquired +8, then released +8${rootReason !== undefined ? ` (skipped: ${rootReason})` : ""}`, async () => {
      const len = PAGES * pageSize;
      const { addr } = await agent.call({ op: "mmap", length: len, prot: "rw", flags: "private", backing: "anon" });
      await agent.call({ op: "touch", addr, length: len, write: true });
      // The counters are global: another process pinning at the same moment adds noise. Retry a
      // few times and require one clean round; every round must pin at least 8.
      let register: PinDelta | undefined;
      let unregister: PinDelta | undefined;
      for (let round = 0; round < 3; round++) {
        const before = readPinCounters();
        expect(before.refreshed).toBe(true);
        const { ring } = await agent.call({ op: "iouring_register", addr, length: len });
        const mid = readPinCounters();
        register = pinDelta(before, mid);
        await agent.call({ op: "iouring_unregister", ring });
        const polled = await pollPinDelta(mid, (d) => d.released >= PAGES);
        expect(polled.settled).toBe(true);
        unregister = polled.delta;
        expect(register.acquired).toBeGreaterThanOrEqual(PAGES);
        if (register.acquired === PAGES && register.released === 0 && unregister.acquired === 0 && unregister.released === PAGES) break;
      }
      expect(register).toEqual({ acquired: PAGES, released: 0 });
      expect(unregister).toEqual({ acquired: 0, released: PAGES });
      await agent.call({ op: "munmap", addr, length: len });
    });

    it.skipIf(tmpFs === undefined)(`refuses a MAP_SHARED ${tmpFs ?? "ext4/xfs"} buffer with EFAULT${tmpFs === undefined ? ` (skipped: ${tmpdir()} is not ext4 or xfs)` : ""}`, async () => {
      const dir = mkdtempSync(join(tmpdir(), "pinlab-agent-file-"));
      try {
        const path = join(dir, "buffer");
        const { addr } = await agent.call({ op: "mmap", length: pageSize, prot: "rw", flags: "shared", backing: "file", path });
        await agent.call({ op: "touch", addr, length: pageSize, write: true });
        expect((await agent.call({ op: "pagemap", addr, pages: 1 })).pages[0]).toMatchObject({ present: true, file: true });
        const error = await agent.call({ op: "iouring_register", addr, length: pageSize }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(AgentCallError);
        expect(error).toMatchObject({ code: "EFAULT", call: "io_uring_register" });
        await agent.call({ op: "munmap", addr, length: pageSize });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it("answers a fault on a bad address with EFAULT and keeps running", async () => {
      await expect(agent.call({ op: "write", addr: "0x10", text: "x" })).rejects.toMatchObject({ code: "EFAULT", call: "write" });
      await expect(agent.call({ op: "read", addr: "0x10", length: 1 })).rejects.toMatchObject({ code: "EFAULT", call: "read" });
      await expect(agent.call({ op: "munmap", addr: "0x1001", length: 4096 })).rejects.toMatchObject({ code: "EINVAL", call: "munmap" });
      await expect(agent.call({ op: "hello" })).resolves.toMatchObject({ pageSize });
    });

    const anon = async (pages: number, prot: AgentProt = "rw"): Promise<HexAddr> =>
      (await agent.call({ op: "mmap", length: pages * pageSize, prot, flags: "private", backing: "anon" })).addr;
    const pfnOf = async (client: AgentClient, addr: HexAddr): Promise<number> => (await client.call({ op: "pagemap", addr, pages: 1 })).pages[0]!.pfn;
    const hex = (text: string): string => Buffer.from(text).toString("hex");
    /** Run `act` up to 3 times until the pin delta it causes is `clean` (the counters are global); returns the last delta. */
    const pinsOf = async (act: () => Promise<void>, clean: (d: PinDelta) => boolean): Promise<PinDelta> => {
      let delta: PinDelta = { acquired: -1, released: -1 };
      for (let round = 0; round < 3 && !clean(delta); round++) {
        const before = readPinCounters();
        await act();
        delta = pinDelta(before, readPinCounters());
      }
      return delta;
    };

    it("mmap: prot letters, addr with noreplace / fixed / hint, populate, and refused combinations", async () => {
      const rwx = await anon(1, "rwx");
      await agent.call({ op: "write", addr: rwx, text: "x" });
      const w = await anon(1, "w");
      expect(await agent.call({ op: "mprotect", addr: w, length: pageSize, prot: "x" })).toEqual({});
      // [taken][----]: noreplace over a mapping is EEXIST, fixed replaces it (fresh zeroes), a hint elsewhere moves.
      await expect(agent.call({ op: "mmap", length: pageSize, prot: "rw", flags: "private", backing: "anon", addr: rwx, fixed: "noreplace" })).rejects.toMatchObject({ code: "EEXIST", call: "mmap" });
      expect(await agent.call({ op: "mmap", length: pageSize, prot: "rw", flags: "private", backing: "anon", addr: rwx, fixed: "fixed" })).toEqual({ addr: rwx });
      expect(await agent.call({ op: "read", addr: rwx, length: 1 })).toEqual({ hex: "00" });
      expect((await agent.call({ op: "mmap", length: pageSize, prot: "rw", flags: "private", backing: "anon", addr: rwx, fixed: "hint" })).addr).not.toBe(rwx);
      const populated = await agent.call({ op: "mmap", length: 4 * pageSize, prot: "rw", flags: "private", backing: "anon", populate: true });
      expect((await agent.call({ op: "pagemap", addr: populated.addr, pages: 4 })).pages.every((p) => p.present)).toBe(true);
      await expect(agent.call({ op: "mmap", length: pageSize, prot: "rw", flags: "private", backing: "file", path: "/tmp/x", hugetlb: "2MiB" })).rejects.toThrow(/hugetlb.*anon or memfd/);
    });

    it("mprotect takes write away (EFAULT) and gives it back", async () => {
      const addr = await anon(2);
      await agent.call({ op: "write", addr, text: "before" });
      await agent.call({ op: "mprotect", addr, length: 2 * pageSize, prot: "r" });
      await expect(agent.call({ op: "write", addr, text: "x" })).rejects.toMatchObject({ code: "EFAULT", call: "write" });
      await agent.call({ op: "mprotect", addr, length: 2 * pageSize, prot: "rw" });
      await agent.call({ op: "write", addr, text: "after!" });
      expect(await agent.call({ op: "read", addr, length: 6 })).toEqual({ hex: hex("after!") });
      await expect(agent.call({ op: "mprotect", addr: "0x1001", length: pageSize, prot: "r" })).rejects.toMatchObject({ code: "EINVAL", call: "mprotect" });
    });

    it("mremap grows in place or moves, moves to a fixed address, and keeps the old range with dontunmap", async () => {
      const addr = await anon(2);
      await agent.call({ op: "write", addr, text: "remap" });
      await expect(agent.call({ op: "mremap", addr, old_length: 2 * pageSize, new_length: 64 * pageSize, maymove: false, fixed: false, dontunmap: false })).rejects.toMatchObject({ call: "mremap" });
      const moved = await agent.call({ op: "mremap", addr, old_length: 2 * pageSize, new_length: 64 * pageSize, maymove: true, fixed: false, dontunmap: false });
      expect(await agent.call({ op: "read", addr: moved.addr, length: 5 })).toEqual({ hex: hex("remap") });
      const target = await anon(2);
      expect(await agent.call({ op: "mremap", addr: moved.addr, old_length: 2 * pageSize, new_length: 2 * pageSize, maymove: true, fixed: true, dontunmap: false, new_addr: target })).toEqual({ addr: target });
      expect(await agent.call({ op: "read", addr: target, length: 5 })).toEqual({ hex: hex("remap") });
      // MREMAP_DONTUNMAP: the pages move, the old range stays mapped and faults in fresh zeroes.
      const kept = await agent.call({ op: "mremap", addr: target, old_length: 2 * pageSize, new_length: 2 * pageSize, maymove: true, fixed: false, dontunmap: true });
      expect(kept.addr).not.toBe(target);
      expect(await agent.call({ op: "read", addr: kept.addr, length: 5 })).toEqual({ hex: hex("remap") });
      expect(await agent.call({ op: "read", addr: target, length: 5 })).toEqual({ hex: "0000000000" });
    });

    it("forks a child agent on a unix socket: pre-fork data, COW on a parent write, dontfork and wipeonfork, exit, no zombie", async () => {
      const addr = await anon(4);
      await agent.call({ op: "write", addr, text: "prefork" });
      await agent.call({ op: "write", addr: at(addr, 2 * pageSize), text: "wipe me" });
      await agent.call({ op: "madvise", addr: at(addr, pageSize), length: pageSize, advice: "dontfork" });
      await agent.call({ op: "madvise", addr: at(addr, 2 * pageSize), length: pageSize, advice: "wipeonfork" });
      const before = await pfnOf(agent, addr);
      const { child, pid } = await agent.fork();
      try {
        expect((await child.call({ op: "hello" })).pid).toBe(pid);
        expect(await child.call({ op: "read", addr, length: 7 })).toEqual({ hex: hex("prefork") });
        await expect(child.call({ op: "read", addr: at(addr, pageSize), length: 1 })).rejects.toMatchObject({ code: "EFAULT" });
        expect(await child.call({ op: "read", addr: at(addr, 2 * pageSize), length: 7 })).toEqual({ hex: "00".repeat(7) });
        expect(await agent.call({ op: "read", addr: at(addr, 2 * pageSize), length: 7 })).toEqual({ hex: hex("wipe me") });
        if (rootReason === undefined) expect(await pfnOf(child, addr)).toBe(before);
        await agent.call({ op: "write", addr, text: "PARENT" });
        expect(await child.call({ op: "read", addr, length: 7 })).toEqual({ hex: hex("prefork") });
        if (rootReason === undefined) {
          const [parentPfn, childPfn] = [await pfnOf(agent, addr), await pfnOf(child, addr)];
          expect(childPfn).toBe(before);
          expect(parentPfn).not.toBe(childPfn);
        }
        // The child forks too: the grandchild sees the child's memory, and ending it leaves the child serving.
        const grand = await child.fork();
        expect(await grand.child.call({ op: "read", addr, length: 7 })).toEqual({ hex: hex("prefork") });
        await grand.child.close();
        await expect(child.call({ op: "read", addr, length: 7 })).resolves.toEqual({ hex: hex("prefork") });
      } finally {
        await child.close();
      }
      await expect(child.call({ op: "hello" })).rejects.toThrow(/closed its connection/);
      await expect(agent.call({ op: "hello" })).resolves.toMatchObject({ pageSize });
      // SIGCHLD is ignored in the agent, so the kernel reaps the child: /proc/PID goes away.
      for (let i = 0; i < 100 && existsSync(`/proc/${pid}`); i++) await new Promise((r) => setTimeout(r, 20));
      expect(existsSync(`/proc/${pid}`)).toBe(false);
    });

    it.skipIf(rootReason !== undefined)(`vmsplice takes FOLL_GET references (no pin), the pipe sees later writes, tee peeks without consuming${rootReason !== undefined ? ` (skipped: ${rootReason})` : ""}`, async () => {
      const addr = await anon(4);
      await agent.call({ op: "write", addr, text: "AAAA" });
      await agent.call({ op: "touch", addr, length: 4 * pageSize, write: true });
      const pipes: number[] = [];
      const delta = await pinsOf(async () => {
        const { pipe, spliced } = await agent.call({ op: "vmsplice", addr, length: 4 * pageSize });
        expect(spliced).toBe(4 * pageSize);
        pipes.push(pipe);
      }, (d) => d.acquired === 0 && d.released === 0);
      expect(delta).toEqual({ acquired: 0, released: 0 });
      const pipe = pipes.at(-1)!;
      await agent.call({ op: "write", addr, text: "BB" });
      expect(await agent.call({ op: "pipe_peek", pipe, offset: 0, length: 4 })).toEqual({ hex: hex("BBAA") });
      expect(await agent.call({ op: "pipe_peek", pipe, offset: 1, length: 2 })).toEqual({ hex: hex("BA") });
      expect(await agent.call({ op: "pipe_peek", pipe, offset: 4 * pageSize - 1, length: 8 })).toEqual({ hex: "00" });
      for (const p of pipes) expect(await agent.call({ op: "pipe_release", pipe: p })).toEqual({});
      await expect(agent.call({ op: "pipe_release", pipe })).rejects.toThrow(/no such pipe/);
    });

    it.skipIf(rootReason !== undefined)(`io_uring fixed-buffer IO reaches the pinned frames, not the mapping, and moves no pin counter${rootReason !== undefined ? ` (skipped: ${rootReason})` : ""}`, async () => {
      const len = 2 * pageSize;
      const addr = await anon(2);
      await agent.call({ op: "touch", addr, length: len, write: true });
      const status0 = await agent.call({ op: "status" });
      const { ring } = await agent.call({ op: "iouring_register", addr, length: len });
      // io_uring/rsrc.c io_account_mem adds the pages to mm->pinned_vm: VmPin.
      expect((await agent.call({ op: "status" })).vmPinKb - status0.vmPinKb).toBe(len / 1024);
      const delta = await pinsOf(async () => {
        expect(await agent.call({ op: "iouring_dma_write", ring, offset: 10, hex: hex("DMA!") })).toEqual({ written: 4 });
      }, (d) => d.acquired === 0 && d.released === 0);
      expect(delta).toEqual({ acquired: 0, released: 0 });
      expect(await agent.call({ op: "read", addr: at(addr, 10), length: 4 })).toEqual({ hex: hex("DMA!") });
      await agent.call({ op: "write", addr: at(addr, pageSize), text: "cpu" });
      expect(await agent.call({ op: "iouring_dma_read", ring, offset: pageSize, length: 3 })).toEqual({ hex: hex("cpu") });
      await expect(agent.call({ op: "iouring_dma_read", ring, offset: len - 1, length: 2 })).rejects.toThrow(/beyond the ring's registered buffer/);
      // fork: the child gets a copy of the pinned page at once; DMA lands in the parent's frame only.
      const pinned = await pfnOf(agent, addr);
      const { child } = await agent.fork();
      try {
        expect(await pfnOf(child, addr)).not.toBe(pinned);
        expect(await pfnOf(agent, addr)).toBe(pinned);
        await agent.call({ op: "iouring_dma_write", ring, offset: 0, hex: hex("after fork") });
        expect(await agent.call({ op: "read", addr, length: 10 })).toEqual({ hex: hex("after fork") });
        expect(await child.call({ op: "read", addr, length: 10 })).not.toEqual({ hex: hex("after fork") });
      } finally {
        await child.close();
      }
      // MADV_DONTNEED drops the mapping's page; the pinned frame lives on: DMA goes there, unseen.
      await agent.call({ op: "madvise", addr, length: pageSize, advice: "dontneed" });
      await agent.call({ op: "iouring_dma_write", ring, offset: 0, hex: hex("lost") });
      expect(await agent.call({ op: "read", addr, length: 4 })).toEqual({ hex: "00000000" });
      expect(await agent.call({ op: "iouring_dma_read", ring, offset: 0, length: 4 })).toEqual({ hex: hex("lost") });
      expect(await pfnOf(agent, addr)).not.toBe(pinned);
      await agent.call({ op: "iouring_unregister", ring });
      await agent.call({ op: "munmap", addr, length: len });
    });

    it.skipIf(rootReason !== undefined)(`/proc/self/mem writes a read-only private mapping (FOLL_FORCE)${rootReason !== undefined ? ` (skipped: ${rootReason})` : ""}`, async () => {
      const addr = await anon(1, "r");
      await expect(agent.call({ op: "write", addr, text: "x" })).rejects.toMatchObject({ code: "EFAULT" });
      expect(await agent.call({ op: "proc_mem_write", addr, hex: hex("forced") })).toEqual({ written: 6 });
      expect(await agent.call({ op: "read", addr, length: 6 })).toEqual({ hex: hex("forced") });
      expect(await agent.call({ op: "proc_mem_read", addr, length: 6 })).toEqual({ hex: hex("forced") });
      await expect(agent.call({ op: "proc_mem_read", addr: "0x10", length: 1 })).rejects.toMatchObject({ code: "EIO", call: "pread" });
    });

    it.skipIf(rootReason !== undefined)(`hugetlb 2 MiB (anon and memfd) and kfolio: one folio of 512 frames${rootReason !== undefined ? ` (skipped: ${rootReason})` : ""}`, async () => {
      const pool = "/proc/sys/vm/nr_hugepages";
      const saved = readFileSync(pool, "utf8").trim();
      writeFileSync(pool, String(Number(saved) + 2));
      try {
        const huge = 2 << 20;
        for (const backing of ["anon", "memfd"] as const) {
          const req = backing === "anon" ? ({ backing } as const) : ({ backing, name: "pinlab-huge" } as const);
          const { addr } = await agent.call({ op: "mmap", length: huge, prot: "rw", flags: "shared", hugetlb: "2MiB", populate: true, ...req });
          expect(BigInt(addr) % BigInt(huge)).toBe(0n);
          const headPfn = await pfnOf(agent, addr);
          const tailPfn = await pfnOf(agent, at(addr, 5 * pageSize));
          expect(tailPfn).toBe(headPfn + 5);
          const folio = await agent.call({ op: "kfolio", pfn: tailPfn });
          expect(folio).toMatchObject({ head: headPfn, nr: huge / pageSize });
          expect(folio.flags).toEqual(expect.arrayContaining(["COMPOUND_HEAD", "HUGE"]));
          expect(await agent.call({ op: "kfolio", pfn: headPfn })).toEqual(folio);
          await agent.call({ op: "munmap", addr, length: huge });
        }
        await expect(agent.call({ op: "mmap", length: pageSize, prot: "rw", flags: "shared", backing: "memfd", name: "odd", hugetlb: "2MiB" })).rejects.toMatchObject({ code: "EINVAL", call: "ftruncate" });
      } finally {
        writeFileSync(pool, saved);
      }
      expect(readFileSync(pool, "utf8").trim()).toBe(saved);
      const small = await anon(1);
      await agent.call({ op: "touch", addr: small, length: 1, write: true });
      const pfn = await pfnOf(agent, small);
      expect(await agent.call({ op: "kfolio", pfn })).toMatchObject({ head: pfn, nr: 1, flags: expect.arrayContaining(["ANON"]) });
    });

    it("status reads VmPin, VmLck and VmRSS", async () => {
      const s = await agent.call({ op: "status" });
      expect(s.vmRssKb).toBeGreaterThan(0);
      expect(s.vmLckKb).toBe(0);
    });

    it.skipIf(tmpFs === undefined)(`files by path on ${tmpFs ?? "ext4/xfs"}: file_read, fsync, sync_range, ftruncate, punch, O_DIRECT both ways, mmap offset and grow${tmpFs === undefined ? ` (skipped: ${tmpdir()} is not ext4 or xfs)` : ""}`, async () => {
      const dir = mkdtempSync(join(tmpdir(), "pinlab-agent-file-"));
      try {
        const path = join(dir, "data");
        writeFileSync(path, Buffer.concat([Buffer.alloc(pageSize, "a"), Buffer.alloc(pageSize, "b")]));
        expect(await agent.call({ op: "file_read", path, offset: 2 * pageSize - 2, length: 10 })).toEqual({ hex: hex("bb") });
        expect(await agent.call({ op: "file_read", path, offset: 3 * pageSize, length: 10 })).toEqual({ hex: "" });
        expect(await agent.call({ op: "sync_range", path })).toEqual({});
        expect(await agent.call({ op: "fsync", path })).toEqual({});
        // mmap at offset: the second page; grow: false never extends the file.
        const m = await agent.call({ op: "mmap", length: 2 * pageSize, prot: "rw", flags: "shared", backing: "file", path, offset: pageSize, grow: false });
        expect(await agent.call({ op: "read", addr: m.addr, length: 2 })).toEqual({ hex: hex("bb") });
        await expect(agent.call({ op: "read", addr: at(m.addr, pageSize), length: 1 })).rejects.toMatchObject({ code: "EFAULT" });
        expect(statSync(path).size).toBe(2 * pageSize);
        await agent.call({ op: "munmap", addr: m.addr, length: 2 * pageSize });
        await expect(agent.call({ op: "mmap", length: pageSize, prot: "r", flags: "shared", backing: "file", path: join(dir, "none"), grow: false })).rejects.toMatchObject({ code: "ENOENT", call: "open" });
        if (rootReason === undefined) {
          // grow: false falls back to O_RDONLY when O_RDWR is refused (an immutable file refuses it even to root).
          const frozen = join(dir, "frozen");
          writeFileSync(frozen, "frozen");
          expect(spawnSync("chattr", ["+i", frozen]).status).toBe(0);
          try {
            await expect(agent.call({ op: "mmap", length: pageSize, prot: "rw", flags: "shared", backing: "file", path: frozen, grow: false })).rejects.toMatchObject({ code: "EACCES", call: "mmap" });
            const ro = await agent.call({ op: "mmap", length: pageSize, prot: "r", flags: "shared", backing: "file", path: frozen, grow: false });
            expect(await agent.call({ op: "read", addr: ro.addr, length: 6 })).toEqual({ hex: hex("frozen") });
            await agent.call({ op: "munmap", addr: ro.addr, length: pageSize });
          } finally {
            spawnSync("chattr", ["-i", frozen]);
          }
        }
        // O_DIRECT: user memory -> file and back, a short-term FOLL_PIN per page, all released.
        const buf = await anon(2);
        await agent.call({ op: "write", addr: buf, hex: "44".repeat(pageSize) });
        const delta = await pinsOf(async () => {
          expect(await agent.call({ op: "dio", path, offset: 0, addr: buf, length: pageSize, write: true })).toEqual({ bytes: pageSize });
        }, (d) => d.acquired === 1 && d.released === 1);
        expect(delta).toEqual({ acquired: 1, released: 1 });
        expect(await agent.call({ op: "file_read", path, offset: 0, length: 2 })).toEqual({ hex: "4444" });
        expect(await agent.call({ op: "dio", path, offset: pageSize, addr: at(buf, pageSize), length: pageSize, write: false })).toEqual({ bytes: pageSize });
        expect(await agent.call({ op: "read", addr: at(buf, pageSize), length: 2 })).toEqual({ hex: hex("bb") });
        await expect(agent.call({ op: "dio", path, offset: 1, addr: buf, length: pageSize, write: true })).rejects.toMatchObject({ code: "EINVAL", call: "pwrite" });
        // punch keeps the size and reads zeroes; ftruncate shortens.
        expect(await agent.call({ op: "punch", path, offset: 0, length: pageSize })).toEqual({});
        expect(statSync(path).size).toBe(2 * pageSize);
        expect(await agent.call({ op: "file_read", path, offset: pageSize - 2, length: 4 })).toEqual({ hex: `0000${hex("bb")}` });
        expect(await agent.call({ op: "ftruncate", path, size: 100 })).toEqual({});
        expect(statSync(path).size).toBe(100);
        await expect(agent.call({ op: "fsync", path: join(dir, "none") })).rejects.toMatchObject({ code: "ENOENT", call: "open" });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it.skipIf(rootReason !== undefined)(`disk_read on a loop-mounted ext4 image: zeros before fsync (delayed allocation), the bytes after${rootReason !== undefined ? ` (skipped: ${rootReason})` : ""}`, async () => {
      // A fresh ext4 image, so the block device is one we may open (this VM refuses opening
      // /dev/vda itself, even to root: disk_read there answers EPERM from "open block device").
      const dir = mkdtempSync(join(tmpdir(), "pinlab-agent-disk-"));
      const image = join(dir, "ext4.img");
      const mnt = join(dir, "mnt");
      const sh = (cmd: string, args: string[]): void => {
        const run = spawnSync(cmd, args, { encoding: "utf8" });
        expect(run.status, `${cmd} ${args.join(" ")}: ${run.stderr}`).toBe(0);
      };
      let mounted = false;
      try {
        writeFileSync(image, "");
        sh("truncate", ["-s", "32M", image]);
        sh("mkfs.ext4", ["-q", "-F", image]);
        sh("mkdir", [mnt]);
        sh("mount", ["-o", "loop", image, mnt]);
        mounted = true;
        const path = join(mnt, "data");
        writeFileSync(path, "on disk?");
        expect(await agent.call({ op: "file_read", path, offset: 0, length: 8 })).toEqual({ hex: hex("on disk?") });
        expect(await agent.call({ op: "disk_read", path, offset: 0, length: 8 })).toEqual({ hex: "00".repeat(8) });
        await agent.call({ op: "fsync", path });
        expect(await agent.call({ op: "disk_read", path, offset: 0, length: 8 })).toEqual({ hex: hex("on disk?") });
        expect(await agent.call({ op: "disk_read", path, offset: 3, length: 4 })).toEqual({ hex: hex("disk") });
        expect(await agent.call({ op: "disk_read", path, offset: 4090, length: 10 })).toEqual({ hex: "00".repeat(10) });
      } finally {
        if (mounted) sh("umount", [mnt]);
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it("answers every malformed request with an error, never a crash", () => {
      const binary = buildAgent({ cacheDir }).path;
      const bad = [
        "",
        "garbage",
        "{",
        '{"id":1,"op":"hello"',
        '{"id":1,"op":"hello"} x',
        '{"id":1.5,"op":"hello"}',
        '{"id":1,"id":2,"op":"hello"}',
        '{"id":1,"op":["hello"]}',
        '{"id":1,"op":"hello","x":null}',
        '{"id":1,"op":"nope"}',
        '{"id":1,"op":"read","addr":4096,"length":1}',
        '{"id":1,"op":"read","addr":"0xZZ","length":1}',
        '{"id":1,"op":"write","addr":"0x1000","hex":"abc"}',
        '{"id":1,"op":"write","addr":"0x1000","hex":"ab","text":"x"}',
        '{"id":1,"op":"mmap","length":-1,"prot":"rw","flags":"private","backing":"anon"}',
        '{"id":1,"op":"mmap","length":4096,"prot":"wr","flags":"private","backing":"anon"}',
        '{"id":1,"op":"mmap","length":4096,"prot":"rw","flags":"private","backing":"anon","fixed":"fixed"}',
        '{"id":1,"op":"mmap","length":4096,"prot":"rw","flags":"private","backing":"anon","hugetlb":"4MiB"}',
        '{"id":1,"op":"mremap","addr":"0x1000","old_length":4096,"new_length":8192,"maymove":true,"fixed":true,"dontunmap":false}',
        '{"id":1,"op":"iouring_dma_read","ring":0,"offset":0,"length":1}',
        '{"id":1,"op":"pipe_peek","pipe":9,"offset":0,"length":1}',
        '{"id":1,"op":"madvise","addr":"0x1000","length":4096,"advice":"wipe"}',
        '{"id":1,"op":"fork"}',
        '{"id":1,"op":"kpage","pfn":99999999999999999999}',
        '{"id":1,"op":"text","s":"\\u0000"}',
        '{"id":1,"op":"iouring_unregister","ring":3}',
      ];
      const run = spawnSync(binary, [], { input: `${bad.join("\n")}\n{"id":2,"op":"exit"}\n`, encoding: "utf8" });
      expect(run.status).toBe(0);
      const answers = run.stdout.trim().split("\n").map((l) => JSON.parse(l) as { ok: boolean; error?: string });
      expect(answers).toHaveLength(bad.length + 1);
      expect(answers.slice(0, -1).every((a) => a.ok === false && typeof a.error === "string")).toBe(true);
      expect(answers.at(-1)).toEqual({ id: 2, ok: true });
    });
  });
}
