/**
 * The host agent's protocol (issue 20): JSON lines between pinlab and `host-agent/agent.c`, one
 * request per line on the agent's stdin, one answer per line on its stdout, matched by `id`.
 * Requests are flat objects (strings, integers, booleans); addresses travel as `"0x..."` hex
 * strings because a 64-bit address does not fit a JSON number. docs/reference/host-agent.md
 * documents every op. Observations come from `/proc/self/pagemap`, `/proc/kpagecount` and
 * `/proc/kpageflags` (Documentation/admin-guide/mm/pagemap.rst) and io_uring fixed buffers
 * (io_uring/rsrc.c io_sqe_buffers_register).
 * @module
 */
import { z } from "zod";

/** An address in the agent's address space, as the agent writes it: `"0x"` and lowercase hex. */
export type HexAddr = `0x${string}`;

/** Every request the agent understands, without its `id` (the client assigns it). */
export type AgentRequest =
  | { op: "hello" }
  | { op: "mmap"; length: number; prot: "none" | "r" | "rw"; flags: "private" | "shared"; backing: "anon" }
  | { op: "mmap"; length: number; prot: "none" | "r" | "rw"; flags: "private" | "shared"; backing: "memfd"; name: string }
  | { op: "mmap"; length: number; prot: "none" | "r" | "rw"; flags: "private" | "shared"; backing: "file"; path: string }
  | { op: "munmap"; addr: HexAddr; length: number }
  | { op: "write"; addr: HexAddr; hex: string }
  | { op: "write"; addr: HexAddr; text: string }
  | { op: "read"; addr: HexAddr; length: number }
  | { op: "touch"; addr: HexAddr; length: number; write: boolean }
  | { op: "madvise"; addr: HexAddr; length: number; advice: "dontneed" | "pageout" | "hugepage" | "nohugepage" | "collapse" }
  | { op: "pagemap"; addr: HexAddr; pages: number }
  | { op: "kpage"; pfn: number }
  | { op: "iouring_register"; addr: HexAddr; length: number }
  | { op: "iouring_unregister"; ring: number }
  | { op: "exit" };

/** The name of an agent op. */
export type AgentOp = AgentRequest["op"];

const hexAddr = z.string().regex(/^0x[0-9a-f]+$/) as unknown as z.ZodType<HexAddr>;

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
  read: z.strictObject({ hex: z.string().regex(/^(?:[0-9a-f]{2})*$/) }),
  touch: z.strictObject({ pages: z.number().int().nonnegative() }),
  madvise: z.strictObject({ result: z.literal(0) }),
  pagemap: z.strictObject({ pages: z.array(pagemapEntrySchema) }),
  kpage: z.strictObject({ count: z.number().int().nonnegative(), flags: z.array(z.string()), raw: hexAddr }),
  iouring_register: z.strictObject({ ring: z.number().int().nonnegative() }),
  iouring_unregister: z.strictObject({}),
  exit: z.strictObject({}),
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
