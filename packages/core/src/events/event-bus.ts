import { EventEmitter } from "eventemitter3";
import { inject, injectable } from "tsyringe";
import { CLOCK } from "../sim/clock.js";
import type { VirtualClock } from "../sim/clock.js";
import { writeEvent } from "./event-layouts.js";
import type { KernelEvent, KernelEventPayloads, KernelEventType } from "./event-types.js";
import { RecordWriter } from "./record-writer.js";
import { runningSha256 } from "./running-sha256.js";
import { createToken } from "../di/tokens.js";

type Listeners = { [K in KernelEventType]: (e: KernelEvent<K>) => void } & { "*": (e: KernelEvent) => void };

/**
 * The one typed event bus of a kernel instance (eventemitter3). Every event is stamped with the
 * virtual time and a sequence number and appended, as it is emitted, to a compact binary record
 * stream (numbers as numbers, strings interned: `event-layouts.ts`, `record-writer.ts`), which is
 * fed to a running SHA-256 in 64 KiB chunks and when the hash is asked for: the `eventsHash` that
 * proves determinism. Nothing is rendered as text. The event object itself is built only when a
 * log is kept (`--trace`, the playground) or someone listens, so memory does not grow with the
 * number of events.
 */
@injectable()
export class EventBus {
  private readonly emitter = new EventEmitter<Listeners>();
  private readonly hasher = runningSha256();
  /** The binary records not yet fed to the hash: one hash update per 64 KiB instead of per event. */
  private readonly records = new RecordWriter((bytes) => this.hasher.update(bytes));
  /** Listeners added and not removed, by event type (`*` for catch-all ones; a plain object: a property load per emit). */
  private readonly listening: Record<string, number> = Object.create(null) as Record<string, number>;
  /** Listeners added and not removed, of every type. */
  private listeners = 0;
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
   * Emit an event: stamp it, append its binary record to the hashed stream (a refused `gup`
   * event's diagnostic `reason` stays out: see `event-layouts.ts`), log it if asked, and deliver
   * it to listeners. The event object is built only when someone keeps or listens to it.
   */
  emit<K extends KernelEventType>(type: K, payload: KernelEventPayloads[K]): void {
    const seq = this.seq++;
    const t = this.clock.now;
    writeEvent(this.records, type, t, payload);
    if (this.log === undefined && (this.listeners === 0 || (this.listening[type]! | 0) + (this.listening["*"]! | 0) === 0)) return;
    const event = { type, seq, t, ...payload } as unknown as KernelEvent;
    this.log?.push(event);
    const em = this.emitter;
    (em.emit as (t: string, e: unknown) => boolean)(type, event);
    em.emit("*", event);
  }

  /** Listen to one event type. Returns a function that removes the listener. */
  on<K extends KernelEventType>(type: K, listener: (e: KernelEvent<K>) => void): () => void {
    const fn = listener as unknown as Listeners[K];
    (this.emitter.on as (t: string, f: unknown) => unknown)(type, fn);
    return this.remover(type, () => void (this.emitter.off as (t: string, f: unknown) => unknown)(type, fn));
  }

  /** Listen to every event. Returns a function that removes the listener. */
  onAny(listener: (e: KernelEvent) => void): () => void {
    this.emitter.on("*", listener);
    return this.remover("*", () => void this.emitter.off("*", listener));
  }

  /** Count a listener of `type` in, and return its remover, which counts it out once. */
  private remover(type: string, off: () => void): () => void {
    const n = this.listening;
    n[type] = (n[type] ?? 0) + 1;
    this.listeners++;
    let on = true;
    return () => {
      if (!on) return;
      on = false;
      n[type]!--;
      this.listeners--;
      off();
    };
  }

  /** The SHA-256 (hex) of the byte stream of every event emitted so far. Does not disturb the running hash. */
  hash(): string {
    this.records.flush();
    return this.hasher.hex();
  }
}

/** The token of a kernel instance's event bus. */
export const EVENTS = createToken<EventBus>("EVENTS");
