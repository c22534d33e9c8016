import { EventEmitter } from "eventemitter3";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { inject, injectable } from "tsyringe";
import { CLOCK } from "../sim/clock.js";
import type { VirtualClock } from "../sim/clock.js";
import { payloadJsonTail } from "./event-json.js";
import type { KernelEvent, KernelEventPayloads, KernelEventType } from "./event-types.js";
import { createToken } from "../di/tokens.js";

/** A running SHA-256 over UTF-8 text. */
interface RunningSha256 {
  /** Hash `text` (as UTF-8) after everything so far. */
  update(text: string): void;
  /** The digest so far, in hex, without disturbing the running state. */
  hex(): string;
}

/** Node's `createHash`, when the runtime has one (`process.getBuiltinModule`, Node >= 20.16). */
type NodeCreateHash = (algorithm: "sha256") => { update(text: string, encoding: "utf8"): unknown; copy(): { digest(encoding: "hex"): string } };

/**
 * A running SHA-256: the runtime's native one where there is one (Node), @noble/hashes otherwise
 * (the browser). Both hash the same UTF-8 bytes, so the digest is the same everywhere; the
 * native one costs a fraction of the pure-JS one per event.
 */
function runningSha256(): RunningSha256 {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const crypto = typeof proc?.getBuiltinModule === "function" ? (proc.getBuiltinModule("node:crypto") as { createHash?: NodeCreateHash } | undefined) : undefined;
  if (typeof crypto?.createHash === "function") {
    const h = crypto.createHash("sha256");
    return { update: (text) => void h.update(text, "utf8"), hex: () => h.copy().digest("hex") };
  }
  const h = sha256.create();
  const encoder = new TextEncoder();
  return { update: (text) => void h.update(encoder.encode(text)), hex: () => bytesToHex(h.clone().digest()) };
}

type Listeners = { [K in KernelEventType]: (e: KernelEvent<K>) => void } & { "*": (e: KernelEvent) => void };

/**
 * The one typed event bus of a kernel instance (eventemitter3). Every event is stamped with the
 * virtual time and a sequence number and fed, as it is emitted, into a running SHA-256: the
 * `eventsHash` that proves determinism. A full log is kept only when asked for (trace,
 * playground), so memory does not grow with the number of events.
 */
@injectable()
export class EventBus {
  private readonly emitter = new EventEmitter<Listeners>();
  private readonly hasher = runningSha256();
  /** Serialised events not yet fed to the hash: one hash update per ~64 KiB instead of per event. */
  private pending = "";
  private seq = 0;
  private log: KernelEvent[] | undefined;

  /** Build a bus that stamps events with `clock.now`. */
  constructor(@inject(CLOCK) private readonly clock: VirtualClock) {}

  /** Number of events emitted so far. */
  get count(): number {
    return this.seq;
  }

  /** Start keeping every event (for `--trace` and the playground). */
  keepLog(): void {
    this.log ??= [];
  }

  /** The kept events, or an empty list when logging is off. */
  get events(): readonly KernelEvent[] {
    return this.log ?? [];
  }

  /**
   * Emit an event: stamp it, hash it, log it if asked, and deliver it to listeners. The JSON that
   * is hashed is exactly `JSON.stringify({ type, seq, t, ...payload })`, but for the diagnostic
   * `reason` of a refused `gup` event (see `payloadJsonTail`); the event object itself is built
   * only when someone keeps or listens to it.
   */
  emit<K extends KernelEventType>(type: K, payload: KernelEventPayloads[K]): void {
    const seq = this.seq++;
    const t = this.clock.now;
    const tail = payloadJsonTail(type, payload);
    this.pending += `{"type":"${type}","seq":${seq},"t":${t}${tail.length > 1 ? `,${tail}` : "}"}`;
    if (this.pending.length >= 65_536) this.flush();
    const em = this.emitter;
    if (this.log === undefined && em.listenerCount(type) === 0 && em.listenerCount("*") === 0) return;
    const event = { type, seq, t, ...payload } as unknown as KernelEvent;
    this.log?.push(event);
    (em.emit as (t: string, e: unknown) => boolean)(type, event);
    em.emit("*", event);
  }

  /** Listen to one event type. Returns a function that removes the listener. */
  on<K extends KernelEventType>(type: K, listener: (e: KernelEvent<K>) => void): () => void {
    const fn = listener as unknown as Listeners[K];
    (this.emitter.on as (t: string, f: unknown) => unknown)(type, fn);
    return () => void (this.emitter.off as (t: string, f: unknown) => unknown)(type, fn);
  }

  /** Listen to every event. Returns a function that removes the listener. */
  onAny(listener: (e: KernelEvent) => void): () => void {
    this.emitter.on("*", listener);
    return () => void this.emitter.off("*", listener);
  }

  /** The SHA-256 (hex) of every event emitted so far, in order. Does not disturb the running hash. */
  hash(): string {
    this.flush();
    return this.hasher.hex();
  }

  private flush(): void {
    if (this.pending === "") return;
    this.hasher.update(this.pending);
    this.pending = "";
  }
}

/** The token of a kernel instance's event bus. */
export const EVENTS = createToken<EventBus>("EVENTS");
