/**
 * Shareable state in the URL fragment: the scenario text (deflate-raw through the platform's
 * CompressionStream, then base64url), the position, the compared policies, the kernel era
 * choices (2.0) and the selected frame. The fragment never reaches a server. A link is untrusted
 * input: decoding checks every field and caps the decompressed size. Links made before the era
 * choices (no `m`, `k`, `kp`, `ker`) open as they did: policies compared, each on its default era.
 */
import { findEra, isPluginId } from "@pinlab/core";
import type { CompareMode } from "./run-plan.js";

/** What a link restores. */
export interface SharedState {
  /** The scenario text. */
  readonly text: string;
  /** The position (steps run). */
  readonly pos: number;
  /** Policies in the columns, in order (empty = the app's default). */
  readonly policies: readonly string[];
  /** The selected frame, if any. */
  readonly pfn?: number;
  /** (2.0) What the columns compare (absent: policies). */
  readonly mode?: CompareMode;
  /** (2.0) Policies mode: the era every column runs (absent: "policy default"). */
  readonly kernel?: string;
  /** (2.0) Kernels mode: the one policy. */
  readonly policy?: string;
  /** (2.0) Kernels mode: the compared eras (absent or empty: the app's default). */
  readonly kernels?: readonly string[];
}

/** Largest scenario text a link may carry (decompressed), in bytes. */
export const MAX_SHARED_TEXT = 1024 * 1024;

const VERSION = "1";

/** Encode `state` as a URL fragment (without the leading `#`). */
export async function encodeState(state: SharedState): Promise<string> {
  const packed = await deflate(new TextEncoder().encode(state.text));
  const params = new URLSearchParams();
  params.set("v", VERSION);
  params.set("s", toBase64Url(packed));
  params.set("p", String(state.pos));
  if (state.policies.length > 0) params.set("pol", state.policies.join(","));
  if (state.pfn !== undefined) params.set("f", String(state.pfn));
  if (state.mode === "kernels") params.set("m", "kernels");
  if (state.kernel !== undefined) params.set("k", state.kernel);
  if (state.policy !== undefined) params.set("kp", state.policy);
  if (state.kernels !== undefined && state.kernels.length > 0) params.set("ker", state.kernels.join(","));
  return params.toString();
}

/** Decode a URL fragment (with or without `#`). Returns undefined when it carries no scenario; throws for a broken one. */
export async function decodeState(fragment: string): Promise<SharedState | undefined> {
  const params = new URLSearchParams(fragment.startsWith("#") ? fragment.slice(1) : fragment);
  const s = params.get("s");
  if (s === null) return undefined;
  if (params.get("v") !== VERSION) throw new Error(`unsupported link version "${params.get("v") ?? ""}"`);
  const bytes = await inflate(fromBase64Url(s), MAX_SHARED_TEXT);
  const text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  const pos = nonNegativeInt(params.get("p")) ?? 0;
  const policies = (params.get("pol") ?? "").split(",").filter(isPluginId);
  const pfn = nonNegativeInt(params.get("f"));
  const kernel = knownEra(params.get("k"));
  const policy = params.get("kp") ?? "";
  const kernels = [...new Set((params.get("ker") ?? "").split(",").filter((id) => knownEra(id) !== undefined))];
  return {
    text, pos, policies, ...(pfn !== undefined ? { pfn } : {}),
    ...(params.get("m") === "kernels" ? { mode: "kernels" as const } : {}),
    ...(kernel !== undefined ? { kernel } : {}), ...(isPluginId(policy) ? { policy } : {}), ...(kernels.length > 0 ? { kernels } : {}),
  };
}

/** `id` when it names a kernel era, else undefined (a link's unknown era is dropped, as an unknown policy is). */
function knownEra(id: string | null): string | undefined {
  return id !== null && findEra(id) !== undefined ? id : undefined;
}

function nonNegativeInt(v: string | null): number | undefined {
  if (v === null || !/^\d{1,15}$/.test(v)) return undefined;
  return Number(v);
}

async function deflate(data: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([data as BlobPart]).stream().pipeThrough(new CompressionStream("deflate-raw"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

async function inflate(data: Uint8Array, limit: number): Promise<Uint8Array> {
  const stream = new Blob([data as BlobPart]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > limit) throw new Error(`the scenario in the link is larger than ${limit} bytes`);
      chunks.push(value);
    }
  } catch (e) {
    await reader.cancel().catch(() => undefined);
    if (e instanceof Error && e.message.startsWith("the scenario in the link")) throw e;
    throw new Error("the scenario in the link is damaged (it does not decompress)", { cause: e });
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/** Bytes as base64url without padding. */
export function toBase64Url(bytes: Uint8Array): string {
  let bin = "";
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** base64url (padded or not) as bytes; throws for other characters. */
export function fromBase64Url(s: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*$/.test(s)) throw new Error("the scenario in the link is not base64url");
  const b64 = s.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (s.length % 4)) % 4);
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}
