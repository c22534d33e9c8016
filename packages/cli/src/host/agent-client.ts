/**
 * The client side of the host agent (issue 20): spawn the agent binary, send requests as JSON
 * lines, and await each answer by its `id` with a timeout. The agent's stderr is kept so an error
 * can say what the agent said before it died. The protocol is in protocol.ts.
 * @module
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { createInterface } from "node:readline";
import { type AgentOp, type AgentRequest, type AgentResult, decodeAnswer, decodeResult, encodeRequest } from "./protocol.js";

/** The kernel refused a call the agent made: the errno, its name (`EFAULT`) and the call (`mmap`). */
export class AgentCallError extends Error {
  /** The op of the request. */
  readonly op: AgentOp;
  /** The errno value. */
  readonly errno: number;
  /** The errno's name, e.g. `EFAULT`. */
  readonly code: string;
  /** The system call that failed, e.g. `io_uring_register`. */
  readonly call: string;

  /** An error for `op` failing in `call` with `errno` (`code`). */
  constructor(op: AgentOp, errno: number, code: string, call: string) {
    super(`${op}: ${call} failed with ${code} (errno ${errno})`);
    this.name = "AgentCallError";
    this.op = op;
    this.errno = errno;
    this.code = code;
    this.call = call;
  }
}

/** Options of {@link AgentClient.spawn}. */
export interface AgentClientOptions {
  /** How long to wait for each answer, in milliseconds (default 10 000). */
  timeoutMs?: number;
  /** Arguments passed to the binary (the real agent takes none; a fake one may). */
  args?: readonly string[];
}

interface Pending {
  op: AgentOp;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/** A running agent process and its channel. */
export class AgentClient {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly pending = new Map<number, Pending>();
  private readonly timeoutMs: number;
  private nextId = 1;
  private stderrText = "";
  private exitReason: string | undefined;
  private readonly exited: Promise<void>;

  private constructor(child: ChildProcessWithoutNullStreams, timeoutMs: number) {
    this.child = child;
    this.timeoutMs = timeoutMs;
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk: string) => {
      if (this.stderrText.length < 64 * 1024) this.stderrText += chunk;
    });
    createInterface({ input: child.stdout }).on("line", (line) => this.onLine(line));
    this.exited = new Promise((resolve) => {
      child.on("error", (e) => {
        this.fail(`agent could not run: ${e.message}`);
        resolve();
      });
      child.on("close", (code, signal) => {
        this.fail(`agent exited (${signal !== null ? `signal ${signal}` : `status ${code}`})`);
        resolve();
      });
    });
    // A write to a dead agent surfaces through "close"; keep it from being an unhandled error.
    child.stdin.on("error", () => undefined);
  }

  /** Spawn the agent binary at `path`. */
  static spawn(path: string, options: AgentClientOptions = {}): AgentClient {
    const child = spawn(path, [...(options.args ?? [])], { stdio: ["pipe", "pipe", "pipe"] });
    return new AgentClient(child, options.timeoutMs ?? 10_000);
  }

  /** What the agent wrote on stderr so far. */
  get stderr(): string {
    return this.stderrText;
  }

  /** Send `req` and await its result; rejects with {@link AgentCallError} when the kernel refused the call. */
  call<R extends AgentRequest>(req: R): Promise<AgentResult<R["op"]>> {
    if (this.exitReason !== undefined) return Promise.reject(new Error(this.withStderr(`${req.op}: ${this.exitReason}`)));
    const id = this.nextId++;
    const line = encodeRequest(id, req);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(this.withStderr(`agent did not answer ${req.op} (id ${id}) within ${this.timeoutMs} ms`)));
      }, this.timeoutMs);
      this.pending.set(id, { op: req.op, resolve: resolve as (value: unknown) => void, reject, timer });
      this.child.stdin.write(`${line}\n`);
    });
  }

  /** Ask the agent to exit and wait for it; kills it when it does not answer. Returns once it is gone. */
  async close(): Promise<void> {
    if (this.exitReason === undefined) {
      try {
        await this.call({ op: "exit" });
        this.child.stdin.end();
      } catch {
        this.child.kill("SIGKILL");
      }
    }
    await this.exited;
  }

  private onLine(line: string): void {
    let answer;
    try {
      answer = decodeAnswer(line);
    } catch (e) {
      this.rejectOldest((e as Error).message);
      return;
    }
    if (answer.id === null) {
      this.rejectOldest(`agent could not read a request: ${"error" in answer ? answer.error : ""}`);
      return;
    }
    const waiting = this.pending.get(answer.id);
    if (waiting === undefined) return; // an answer after its timeout
    this.pending.delete(answer.id);
    clearTimeout(waiting.timer);
    if (answer.ok) {
      try {
        waiting.resolve(decodeResult(waiting.op, answer));
      } catch (e) {
        waiting.reject(e as Error);
      }
    } else if ("errno" in answer) {
      waiting.reject(new AgentCallError(waiting.op, answer.errno, answer.name, answer.call));
    } else {
      waiting.reject(new Error(`agent refused ${waiting.op}: ${answer.error}`));
    }
  }

  private rejectOldest(message: string): void {
    const first = this.pending.entries().next();
    if (first.done === true) return;
    const [id, waiting] = first.value;
    this.pending.delete(id);
    clearTimeout(waiting.timer);
    waiting.reject(new Error(message));
  }

  private fail(reason: string): void {
    this.exitReason ??= reason;
    for (const [id, waiting] of this.pending) {
      clearTimeout(waiting.timer);
      waiting.reject(new Error(this.withStderr(`${waiting.op} (id ${id}): ${reason}`)));
    }
    this.pending.clear();
  }

  private withStderr(message: string): string {
    const err = this.stderrText.trim();
    return err === "" ? message : `${message}; agent stderr: ${err.slice(0, 500)}`;
  }
}
