/**
 * The host agent's protocol (issue 20): JSON lines between pinlab and `host-agent/agent.c`, one
 * request per line on the agent's stdin, one answer per line on its stdout, matched by `id`.
 * Requests are flat objects (strings, integers, booleans); addresses travel as `"0x..."` hex
 * strings because a 64-bit address does not fit a JSON number. docs/reference/host-agent.md
 * documents every op. Observations come from `/proc/self/pagemap`, `/proc/kpagecount` and
 * `/proc/kpageflags` (Documentation/admin-guide/mm/pagemap.rst) and io_uring fixed buffers
 * (io_uring/rsrc.c io_sqe_buffers_register). Host equivalents of pins and references: io_uring
 * fixed-buffer IO (io_uring/rw.c), vmsplice (fs/splice.c vmsplice_to_pipe: FOLL_GET), O_DIRECT,
 * `/proc/self/mem` (fs/proc/base.c mem_rw: FOLL_FORCE), and `fork` onto a unix socket.
 * @module
 */
import { z } from "zod";

/** An address in the agent's address space, as the agent writes it: `"0x"` and lowercase hex. */
export type HexAddr = `0x${string}`;

/** Protection: `"none"`, or the letters r, w, x in that order. */
export type AgentProt = "none" | "r" | "w" | "x" | "rw" | "rx" | "wx" | "rwx";

/** Optional `mmap` fields, valid with every backing. */
export interface MmapOptions {
  /** Where to map: with `fixed`, MAP_FIXED_NOREPLACE (`noreplace`), MAP_FIXED (`fixed`) or a hint (`hint`, the default). */
  addr?: HexAddr;
  /** How `addr` is used (needs `addr`). */
  fixed?: "noreplace" | "fixed" | "hint";
  /** MAP_POPULATE: fault every page in now. */
  populate?: boolean;
  /** MAP_HUGETLB with MAP_HUGE_2MB / MAP_HUGE_1GB (anon), or memfd_create(MFD_HUGETLB | MFD_HUGE_*) (memfd). */
  hugetlb?: "2MiB" | "1GiB";
  /** The file offset of the mapping, in bytes (memfds are sized to offset + length). */
  offset?: number;
  /** For `backing: "file"`: true (default) creates and extends a writable mapping's file; false opens the existing file O_RDWR when allowed, else O_RDONLY, and never changes it. */
  grow?: boolean;
}

/** The fields every `mmap` request has. */
interface MmapBase extends MmapOptions {
  op: "mmap";
  length: number;
  prot: AgentProt;
  flags: "private" | "shared";
}

/** Every request the agent understands, without its `id` (the client assigns it). */
export type AgentRequest =
  | { op: "hello" }
  | (MmapBase & { backing: "anon" })
  | (MmapBase & { backing: "memfd"; name: string })
  | (MmapBase & { backing: "file"; path: string })
  | { op: "munmap"; addr: HexAddr; length: number }
  | { op: "mprotect"; addr: HexAddr; length: number; prot: AgentProt }
  | { op: "mremap"; addr: HexAddr; old_length: number; new_length: number; maymove: boolean; fixed: boolean; dontunmap: boolean; new_addr?: HexAddr }
  | { op: "write"; addr: HexAddr; hex: string }
  | { op: "write"; addr: HexAddr; text: string }
  | { op: "read"; addr: HexAddr; length: number }
  | { op: "touch"; addr: HexAddr; length: number; write: boolean }
  | { op: "madvise"; addr: HexAddr; length: number; advice: MadviseAdvice }
  | { op: "pagemap"; addr: HexAddr; pages: number }
  | { op: "kpage"; pfn: number }
  | { op: "iouring_register"; addr: HexAddr; length: number }
  | { op: "iouring_unregister"; ring: number }
  | { op: "iouring_dma_write"; ring: number; offset: number; hex: string }
  | { op: "iouring_dma_read"; ring: number; offset: number; length: number }
  | { op: "fork"; socket: string }
  | { op: "vmsplice"; addr: HexAddr; length: number }
  | { op: "pipe_peek"; pipe: number; offset: number; length: number }
  | { op: "pipe_release"; pipe: number }
  | { op: "dio"; path: string; offset: number; addr: HexAddr; length: number; write: boolean }
  | { op: "file_read"; path: string; offset: number; length: number }
  | { op: "fsync"; path: string }
  | { op: "sync_range"; path: string }
  | { op: "ftruncate"; path: string; size: number }
  | { op: "punch"; path: string; offset: number; length: number }
  | { op: "proc_mem_write"; addr: HexAddr; hex: string }
  | { op: "proc_mem_read"; addr: HexAddr; length: number }
  | { op: "kfolio"; pfn: number }
  | { op: "status" }
  | { op: "disk_read"; path: string; offset: number; length: number }
  | { op: "exit" };

/** `madvise` advice: MADV_DONTNEED, PAGEOUT, HUGEPAGE, NOHUGEPAGE, COLLAPSE, DONTFORK, DOFORK, WIPEONFORK, KEEPONFORK. */
export type MadviseAdvice = "dontneed" | "pageout" | "hugepage" | "nohugepage" | "collapse" | "dontfork" | "dofork" | "wipeonfork" | "keeponfork";

/** The name of an agent op. */
export type AgentOp = AgentRequest["op"];

const hexAddr = z.string().regex(/^0x[0-9a-f]+$/) as unknown as z.ZodType<HexAddr>;
const hexBytes = z.string().regex(/^(?:[0-9a-f]{2})*$/);
const count = z.number().int().nonnegative();
const empty = z.strictObject({});

/** One page of a `pagemap` answer (pagemap.rst bits 63, 62, 56, 61 and 0-54; `pfn` is 0 without CAP_SYS_ADMIN). */
export const pagemapEntrySchema = z.strictObject({
  present: z.boolean(),
  swapped: z.boolean(),
  exclusive: z.boolean(),
  file: z.boolean(),
  pfn: z.number().int().nonnegative(),
});

/** One page of a `pagemap` answer. */
export type PagemapEntry = z.infer<typeof pagemapEntrySchema>;

/** The result fields of each op's successful answer (beyond `id` and `ok`). */
export const resultSchemas = {
  hello: z.strictObject({ pid: z.number().int().positive(), pageSize: z.number().int().positive(), uid: z.number().int().nonnegative() }),
  mmap: z.strictObject({ addr: hexAddr }),
  munmap: z.strictObject({}),
  write: z.strictObject({ written: z.number().int().nonnegative() }),
  read: z.strictObject({ hex: hexBytes }),
  touch: z.strictObject({ pages: z.number().int().nonnegative() }),
  madvise: z.strictObject({ result: z.literal(0) }),
  pagemap: z.strictObject({ pages: z.array(pagemapEntrySchema) }),
  kpage: z.strictObject({ count: z.number().int().nonnegative(), flags: z.array(z.string()), raw: hexAddr }),
  iouring_register: z.strictObject({ ring: z.number().int().nonnegative() }),
  iouring_unregister: empty,
  mprotect: empty,
  mremap: z.strictObject({ addr: hexAddr }),
  iouring_dma_write: z.strictObject({ written: count }),
  iouring_dma_read: z.strictObject({ hex: hexBytes }),
  fork: z.strictObject({ pid: z.number().int().positive() }),
  vmsplice: z.strictObject({ pipe: count, spliced: count }),
  pipe_peek: z.strictObject({ hex: hexBytes }),
  pipe_release: empty,
  dio: z.strictObject({ bytes: count }),
  file_read: z.strictObject({ hex: hexBytes }),
  fsync: empty,
  sync_range: empty,
  ftruncate: empty,
  punch: empty,
  proc_mem_write: z.strictObject({ written: count }),
  proc_mem_read: z.strictObject({ hex: hexBytes }),
  kfolio: z.strictObject({ head: count, nr: z.number().int().positive(), flags: z.array(z.string()) }),
  status: z.strictObject({ vmPinKb: count, vmLckKb: count, vmRssKb: count }),
  disk_read: z.strictObject({ hex: hexBytes }),
  exit: empty,
} satisfies Record<AgentOp, z.ZodType>;

/** The result of a successful `op`. */
export type AgentResult<Op extends AgentOp> = z.infer<(typeof resultSchemas)[Op]>;

/** An answer saying the kernel refused a call: `errno`, its name, and the system call that failed. */
export const errnoAnswerSchema = z.strictObject({
  id: z.number().int(),
  ok: z.literal(false),
  errno: z.number().int().positive(),
  name: z.string().regex(/^E[A-Z0-9]+$/),
  call: z.string().min(1),
});

/** An answer saying the agent did not understand the request (`id` is null when it could not read one). */
export const errorAnswerSchema = z.strictObject({ id: z.number().int().nullable(), ok: z.literal(false), error: z.string().min(1) });

/** A successful answer before its op's result is checked. */
export const okAnswerSchema = z.looseObject({ id: z.number().int(), ok: z.literal(true) });

/** Any answer line, decoded. */
export type AgentAnswer =
  | z.infer<typeof okAnswerSchema>
  | z.infer<typeof errnoAnswerSchema>
  | z.infer<typeof errorAnswerSchema>;

/** The request line for `req` with `id` (no newline). Integers must be safe integers. */
export function encodeRequest(id: number, req: AgentRequest): string {
  for (const [key, value] of Object.entries(req)) {
    if (typeof value === "number" && !Number.isSafeInteger(value)) throw new Error(`request field ${key} is not an integer: ${value}`);
  }
  return JSON.stringify({ id, ...req });
}

/** Decode one answer line; throws an Error naming what is wrong when it is not a valid answer. */
export function decodeAnswer(line: string): AgentAnswer {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new Error(`agent answer is not JSON: ${JSON.stringify(line.slice(0, 200))}`);
  }
  for (const schema of [okAnswerSchema, errnoAnswerSchema, errorAnswerSchema] as const) {
    const parsed = schema.safeParse(value);
    if (parsed.success) return parsed.data;
  }
  throw new Error(`agent answer has an unknown shape: ${JSON.stringify(line.slice(0, 200))}`);
}

/** Check a successful answer's fields against `op`'s result schema; throws naming the op and the problem. */
export function decodeResult<Op extends AgentOp>(op: Op, answer: z.infer<typeof okAnswerSchema>): AgentResult<Op> {
  const { id: _id, ok: _ok, ...rest } = answer;
  const parsed = resultSchemas[op].safeParse(rest);
  if (!parsed.success) throw new Error(`agent answer to ${op} is malformed: ${parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ")}`);
  return parsed.data as AgentResult<Op>;
}
