import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { AgentCallError, AgentClient } from "./agent-client.js";
import { decodeAnswer, decodeResult, encodeRequest } from "./protocol.js";
import { parseVmstat, pinDelta, pollPinDelta, type PinCounters } from "./vmstat.js";

describe("host agent protocol", () => {
  it("encodes a request as one flat JSON line with its id first", () => {
    const line = encodeRequest(7, { op: "touch", addr: "0x7f00", length: 4096, write: true });
    expect(line).toBe('{"id":7,"op":"touch","addr":"0x7f00","length":4096,"write":true}');
    expect(line).not.toContain("\n");
  });

  it("encodes the optional mmap fields and the newer ops as flat lines", () => {
    expect(encodeRequest(1, { op: "mmap", length: 2 << 20, prot: "rwx", flags: "private", backing: "anon", addr: "0x7f0000000000", fixed: "noreplace", populate: true, hugetlb: "2MiB" })).toBe(
      '{"id":1,"op":"mmap","length":2097152,"prot":"rwx","flags":"private","backing":"anon","addr":"0x7f0000000000","fixed":"noreplace","populate":true,"hugetlb":"2MiB"}',
    );
    expect(encodeRequest(2, { op: "mmap", length: 4096, prot: "r", flags: "shared", backing: "file", path: "/tmp/f", offset: 8192, grow: false })).toBe(
      '{"id":2,"op":"mmap","length":4096,"prot":"r","flags":"shared","backing":"file","path":"/tmp/f","offset":8192,"grow":false}',
    );
    expect(encodeRequest(3, { op: "mremap", addr: "0x1000", old_length: 4096, new_length: 8192, maymove: true, fixed: false, dontunmap: false })).toBe(
      '{"id":3,"op":"mremap","addr":"0x1000","old_length":4096,"new_length":8192,"maymove":true,"fixed":false,"dontunmap":false}',
    );
    expect(encodeRequest(4, { op: "iouring_dma_write", ring: 0, offset: 16, hex: "00ff" })).toBe('{"id":4,"op":"iouring_dma_write","ring":0,"offset":16,"hex":"00ff"}');
    expect(encodeRequest(5, { op: "fork", socket: "/tmp/x/agent.sock" })).toBe('{"id":5,"op":"fork","socket":"/tmp/x/agent.sock"}');
    expect(() => encodeRequest(6, { op: "punch", path: "/tmp/f", offset: 0.5, length: 4096 })).toThrow(/offset is not an integer/);
  });

  it("refuses a request with a number that is not a safe integer", () => {
    expect(() => encodeRequest(1, { op: "read", addr: "0x1000", length: 1.5 })).toThrow(/length is not an integer/);
    expect(() => encodeRequest(1, { op: "kpage", pfn: 2 ** 60 })).toThrow(/pfn is not an integer/);
  });

  it("decodes the three kinds of answer", () => {
    expect(decodeAnswer('{"id":1,"ok":true,"addr":"0x7f0000"}')).toEqual({ id: 1, ok: true, addr: "0x7f0000" });
    expect(decodeAnswer('{"id":2,"ok":false,"errno":14,"name":"EFAULT","call":"io_uring_register"}')).toMatchObject({ errno: 14, name: "EFAULT" });
    expect(decodeAnswer('{"id":null,"ok":false,"error":"request is not a JSON object"}')).toMatchObject({ id: null, error: "request is not a JSON object" });
  });

  it("rejects malformed answers with the line in the message", () => {
    expect(() => decodeAnswer("segfault")).toThrow(/not JSON: "segfault"/);
    expect(() => decodeAnswer('{"id":"1","ok":true}')).toThrow(/unknown shape/);
    expect(() => decodeAnswer('{"id":1,"ok":false,"errno":14}')).toThrow(/unknown shape/);
    expect(() => decodeAnswer('{"id":1,"ok":false,"errno":14,"name":"EFAULT","call":"mmap","extra":1}')).toThrow(/unknown shape/);
    expect(() => decodeAnswer("[1,2]")).toThrow(/unknown shape/);
  });

  it("checks each op's result fields", () => {
    const pagemap = decodeResult("pagemap", { id: 3, ok: true, pages: [{ present: true, swapped: false, exclusive: true, file: false, pfn: 0 }] });
    expect(pagemap.pages[0]!.exclusive).toBe(true);
    expect(() => decodeResult("mmap", { id: 1, ok: true, addr: "12345" })).toThrow(/answer to mmap is malformed: addr/);
    expect(() => decodeResult("hello", { id: 1, ok: true, pid: 1, pageSize: 4096 })).toThrow(/answer to hello is malformed: uid/);
    expect(() => decodeResult("madvise", { id: 1, ok: true, result: 0, extra: true })).toThrow(/malformed/);
  });

  it("checks the newer ops' result fields", () => {
    expect(decodeResult("kfolio", { id: 1, ok: true, head: 512, nr: 512, flags: ["COMPOUND_HEAD", "THP"] })).toEqual({ head: 512, nr: 512, flags: ["COMPOUND_HEAD", "THP"] });
    expect(() => decodeResult("kfolio", { id: 1, ok: true, head: 512, nr: 0, flags: [] })).toThrow(/answer to kfolio is malformed: nr/);
    expect(decodeResult("vmsplice", { id: 1, ok: true, pipe: 0, spliced: 8192 })).toEqual({ pipe: 0, spliced: 8192 });
    expect(() => decodeResult("pipe_peek", { id: 1, ok: true, hex: "abc" })).toThrow(/answer to pipe_peek is malformed: hex/);
    expect(() => decodeResult("status", { id: 1, ok: true, vmPinKb: 0, vmLckKb: 0 })).toThrow(/answer to status is malformed: vmRssKb/);
    expect(() => decodeResult("fork", { id: 1, ok: true, pid: 0 })).toThrow(/answer to fork is malformed: pid/);
    expect(() => decodeResult("fsync", { id: 1, ok: true, bytes: 1 })).toThrow(/malformed/);
  });
});

describe("vmstat pin counters", () => {
  it("parses /proc/vmstat and computes deltas", () => {
    const v = parseVmstat("nr_free_pages 100\nnr_foll_pin_acquired 42\nnr_foll_pin_released 40\n");
    expect(v.get("nr_foll_pin_acquired")).toBe(42);
    const before: PinCounters = { acquired: 42, released: 40, refreshed: true };
    expect(pinDelta(before, { acquired: 50, released: 41, refreshed: true })).toEqual({ acquired: 8, released: 1 });
  });

  it("polls until an asynchronous release lands", async () => {
    const readings = [3, 5, 8].map((released) => ({ acquired: 8, released, refreshed: true }));
    let i = 0;
    const read = (): PinCounters => readings[Math.min(i++, readings.length - 1)]!;
    const result = await pollPinDelta({ acquired: 0, released: 0, refreshed: true }, (d) => d.released >= 8, { read, intervalMs: 1 });
    expect(result).toEqual({ delta: { acquired: 8, released: 8 }, settled: true });
    expect(i).toBe(3);
  });
});

describe("AgentClient against a fake agent", () => {
  const fake = fileURLToPath(new URL("./test-support/fake-agent.mjs", import.meta.url));
  let client: AgentClient | undefined;
  const start = (timeoutMs = 10_000): AgentClient => (client = AgentClient.spawn(process.execPath, { args: [fake], timeoutMs }));
  afterEach(async () => {
    await client?.close();
    client = undefined;
  });

  it("matches answers to requests by id, even out of order", async () => {
    const agent = start();
    const kpage = agent.call({ op: "kpage", pfn: 5 });
    const hello = agent.call({ op: "hello" });
    const [k, h] = await Promise.all([kpage, hello]);
    expect(k).toEqual({ count: 1, flags: ["ANON"], raw: "0x1000" });
    expect(h).toMatchObject({ pageSize: 4096, uid: 1000 });
  });

  it("turns an errno answer into an AgentCallError", async () => {
    const agent = start();
    const error = await agent.call({ op: "mmap", length: 4096, prot: "rw", flags: "private", backing: "anon" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AgentCallError);
    expect(error).toMatchObject({ errno: 14, code: "EFAULT", call: "mmap", message: "mmap: mmap failed with EFAULT (errno 14)" });
  });

  it("rejects a malformed or unreadable answer", async () => {
    const agent = start();
    await expect(agent.call({ op: "madvise", addr: "0x1000", length: 4096, advice: "pageout" })).rejects.toThrow(/answer to madvise is malformed: result/);
    await expect(agent.call({ op: "munmap", addr: "0x1000", length: 4096 })).rejects.toThrow(/not JSON: "not json"/);
    await expect(agent.call({ op: "hello" })).resolves.toMatchObject({ uid: 1000 });
  });

  it("times out with the op and id in the message, and keeps working", async () => {
    const agent = start();
    // Started first (a loaded machine may take longer than the short timeout below to start a process).
    await expect(agent.call({ op: "hello" })).resolves.toMatchObject({ pageSize: 4096 });
    await expect(agent.call({ op: "touch", addr: "0x1000", length: 1, write: false }, 300)).rejects.toThrow(/did not answer touch \(id 2\) within 300 ms/);
    await expect(agent.call({ op: "hello" })).resolves.toMatchObject({ pageSize: 4096 });
  });

  it("rejects pending and later calls when the agent dies, with its stderr", async () => {
    const agent = start();
    await expect(agent.call({ op: "read", addr: "0x1000", length: 1 })).rejects.toThrow(/read \(id 1\): agent exited \(status 3\); agent stderr: fake agent: dying on purpose/);
    await expect(agent.call({ op: "hello" })).rejects.toThrow(/hello: agent exited \(status 3\)/);
    expect(agent.stderr).toContain("dying on purpose");
  });

  it("forks: a child client over a unix socket, its own answers, exit ends only the child", async () => {
    const agent = start();
    const { child, pid } = await agent.fork();
    expect(pid).toBeGreaterThan(0);
    expect(await child.call({ op: "status" })).toMatchObject({ vmPinKb: 1 });
    expect(await agent.call({ op: "status" })).toMatchObject({ vmPinKb: 0 });
    await child.close();
    await expect(child.call({ op: "status" })).rejects.toThrow(/status: child agent \d+ closed its connection/);
    await expect(agent.call({ op: "hello" })).resolves.toMatchObject({ pageSize: 4096 });
  });

  it("reports a binary that cannot run", async () => {
    const agent = (client = AgentClient.spawn("/nonexistent/pinlab-agent"));
    await expect(agent.call({ op: "hello" })).rejects.toThrow(/agent could not run: .*ENOENT/);
  });
});
