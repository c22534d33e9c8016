/**
 * Serialisers for the events GUP emits once per call (`gup`, `release`), which a benchmark emits
 * millions of times: the same text `JSON.stringify` gives for the payload, built from a template
 * instead of by the generic walk (several times cheaper). The event bus hashes this text, so it
 * must stay character-for-character equal to `JSON.stringify`; a property test holds it there.
 * @module
 */
import type { KernelEventPayloads, KernelEventType } from "./event-types.js";

const STRINGS = new Map<string, string>();

/** `JSON.stringify(s)`, cached for the few distinct strings these events carry (call names, modes, errnos, holders). */
function str(s: string): string {
  let j = STRINGS.get(s);
  if (j === undefined) {
    j = JSON.stringify(s);
    if (STRINGS.size < 4096) STRINGS.set(s, j);
  }
  return j;
}

/** A number as JSON writes it (`null` for NaN and the infinities). */
function num(n: number): string {
  return Number.isFinite(n) ? String(n) : "null";
}

/** JSON of an optional string member, with its leading comma; nothing when absent (as JSON.stringify leaves out `undefined`). */
function optStr(key: string, v: string | undefined): string {
  return v === undefined ? "" : `,"${key}":${str(v)}`;
}

/** The members of a `gup` payload as JSON, without the opening brace; a refusal's diagnostic `reason` is not hashed. */
function gupJson(p: KernelEventPayloads["gup"]): string {
  let flags = "[";
  for (let i = 0; i < p.flags.length; i++) flags += (i === 0 ? "" : ",") + str(p.flags[i]!);
  return `"call":${str(p.call)},"pid":${num(p.pid)},"start":${num(p.start)},"nrPages":${num(p.nrPages)},"flags":${flags}],"mode":${str(p.mode)},"got":${num(p.got)}`
    + `${optStr("errno", p.errno)},"fastPages":${num(p.fastPages)},"slowPages":${num(p.slowPages)},"migrated":${num(p.migrated)}${optStr("holder", p.holder)}}`;
}

/** The members of a `release` payload as JSON, without the opening brace. */
function releaseJson(p: KernelEventPayloads["release"]): string {
  return `"call":${str(p.call)},"pages":${num(p.pages)},"dirty":${p.dirty ? "true" : "false"},"mode":${str(p.mode)}${optStr("holder", p.holder)}}`;
}

/**
 * The payload of an event as JSON without its opening brace (`"a":1,"b":2}`, or `}` when empty):
 * from a template for `gup` and `release`, from `JSON.stringify` otherwise. The templates write
 * the keys in the order `KernelEventPayloads` declares them, which is the order GUP's emitters
 * build them in, so the text equals `JSON.stringify(payload)` minus its first character (the GUP
 * tests check it on every event they emit), except that a refused `gup` event's `reason` (text
 * for traces, derived from the flags) is left out: the hash proves behaviour, not wording.
 */
export function payloadJsonTail<K extends KernelEventType>(type: K, payload: KernelEventPayloads[K]): string {
  if (type === "gup") return gupJson(payload as KernelEventPayloads["gup"]);
  if (type === "release") return releaseJson(payload as KernelEventPayloads["release"]);
  return JSON.stringify(payload).slice(1);
}
