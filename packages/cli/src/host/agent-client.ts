/**
 * The client side of the host agent (issue 20): spawn the agent binary, send requests as JSON
 * lines, and await each answer by its `id` with a timeout. The agent's stderr is kept so an error
 * can say what the agent said before it died. A client runs over any channel: the agent's
 * stdin/stdout, or the unix socket a forked child agent connects to ({@link AgentClient.fork}).
 * The protocol is in protocol.ts.
 * @module
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";
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

/** The agent did not understand a request (its `error` answer): a bug in what pinlab sent, not the kernel's refusal. */
export class AgentRefusedError extends Error {
  /** Make the error for `op` with the agent's message. */
  constructor(op: string, message: string) {
    super(`agent refused ${op}: ${message}`);
    this.name = "AgentRefusedError";
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

/**
 * A channel to an agent: where its answers come from, where requests go, and how it ends. Any
 * readable/writable pair will do (a process's stdout/stdin, a socket).
 */
export interface AgentChannel {
  /** The agent's answer lines. */
  readonly answers: Readable;
  /** Where request lines are written. */
  readonly requests: Writable;
  /** The agent's stderr, when the channel has one. */
  readonly stderr?: Readable;
  /** Call `gone` once with the reason when the channel is closed for good. */
  onGone(gone: (reason: string) => void): void;
  /** End the request stream after `exit` was answered. */
  end(): void;
  /** The last resort when the agent does not answer `exit`. */
  kill(): void;
}

/** A running agent and its channel. */
export class AgentClient {
  private readonly channel: AgentChannel;
  private readonly pending = new Map<number, Pending>();
  private readonly timeoutMs: number;
  private nextId = 1;
  private stderrText = "";
  private exitReason: string | undefined;
  private readonly exited: Promise<void>;

  /** A client over `channel`, waiting `timeoutMs` for each answer (default 10 000). */
  constructor(channel: AgentChannel, timeoutMs = 10_000) {
    this.channel = channel;
    this.timeoutMs = timeoutMs;
    channel.stderr?.setEncoding("utf8");
    channel.stderr?.on("data", (chunk: string) => {
      if (this.stderrText.length < 64 * 1024) this.stderrText += chunk;
    });
    createInterface({ input: channel.answers }).on("line", (line) => this.onLine(line));
    this.exited = new Promise((resolve) => {
      channel.onGone((reason) => {
        this.fail(reason);
        resolve();
      });
    });
    // A write to a dead agent surfaces through onGone; keep it from being an unhandled error.
    channel.requests.on("error", () => undefined);
  }

  /** Spawn the agent binary at `path`. */
  static spawn(path: string, options: AgentClientOptions = {}): AgentClient {
    const child = spawn(path, [...(options.args ?? [])], { stdio: ["pipe", "pipe", "pipe"] });
    return new AgentClient(
      {
        answers: child.stdout,
        requests: child.stdin,
        stderr: child.stderr,
        onGone: (gone) => {
          child.on("error", (e) => gone(`agent could not run: ${e.message}`));
          child.on("close", (code, signal) => gone(`agent exited (${signal !== null ? `signal ${signal}` : `status ${code}`})`));
        },
        end: () => child.stdin.end(),
        kill: () => child.kill("SIGKILL"),
      },
      options.timeoutMs ?? 10_000,
    );
  }

  /** A client for a forked child agent that connected on `socket`; `pid` is killed as a last resort. */
  static overSocket(socket: Socket, pid: number, timeoutMs = 10_000): AgentClient {
    return new AgentClient(
      {
        answers: socket,
        requests: socket,
        onGone: (gone) => socket.on("close", () => gone(`child agent ${pid} closed its connection`)),
        end: () => socket.end(),
        kill: () => {
          try {
            process.kill(pid, "SIGKILL");
          } catch {
            // already gone
          }
          socket.destroy();
        },
      },
      timeoutMs,
    );
  }

  /**
   * Fork the agent (op `fork`): listen on a unix socket in a fresh temporary directory, send
   * `fork`, and await both the answer (the child's pid) and the child's connection. The child
   * serves the protocol on that connection; close it with its own {@link AgentClient.close}. The
   * socket file and its directory are removed before this returns.
   */
  async fork(): Promise<{ child: AgentClient; pid: number }> {
    const dir = mkdtempSync(join(tmpdir(), "pinlab-fork-"));
    const socketPath = join(dir, "agent.sock");
    const server = createServer();
    let timer: NodeJS.Timeout | undefined;
    try {
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(socketPath, () => resolve());
      });
      const connected = new Promise<Socket>((resolve, reject) => {
        timer = setTimeout(() => reject(new Error(this.withStderr(`the forked agent did not connect within ${this.timeoutMs} ms`))), this.timeoutMs);
        server.once("connection", resolve);
      });
      connected.catch(() => undefined); // awaited below unless the fork call fails first
      const { pid } = await this.call({ op: "fork", socket: socketPath });
      let socket: Socket;
      try {
        socket = await connected;
      } catch (e) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // already gone
        }
        throw e;
      }
      socket.on("error", () => undefined); // surfaces as "close"
      return { child: AgentClient.overSocket(socket, pid, this.timeoutMs), pid };
    } finally {
      clearTimeout(timer);
      server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }

  /** What the agent wrote on stderr so far. */
  get stderr(): string {
    return this.stderrText;
  }

  /** Send `req` and await its result (at most `timeoutMs`, default the client's); rejects with {@link AgentCallError} when the kernel refused the call. */
  call<R extends AgentRequest>(req: R, timeoutMs = this.timeoutMs): Promise<AgentResult<R["op"]>> {
    if (this.exitReason !== undefined) return Promise.reject(new Error(this.withStderr(`${req.op}: ${this.exitReason}`)));
    const id = this.nextId++;
    const line = encodeRequest(id, req);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(this.withStderr(`agent did not answer ${req.op} (id ${id}) within ${timeoutMs} ms`)));
      }, timeoutMs);
      this.pending.set(id, { op: req.op, resolve: resolve as (value: unknown) => void, reject, timer });
      this.channel.requests.write(`${line}\n`);
    });
  }

  /** Ask the agent to exit and wait for it; kills it when it does not answer. Returns once it is gone. */
  async close(): Promise<void> {
    if (this.exitReason === undefined) {
      try {
        await this.call({ op: "exit" });
        this.channel.end();
      } catch {
        this.channel.kill();
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
      waiting.reject(new AgentRefusedError(waiting.op, answer.error));
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
