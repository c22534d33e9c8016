/**
 * A running SHA-256 over bytes: the runtime's native one where there is one (Node's
 * `node:crypto`), @noble/hashes otherwise (the browser). Both hash the same bytes, so the digest
 * is the same everywhere; the native one costs a fraction of the pure-JS one.
 * @module
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";

/** A running SHA-256. */
export interface RunningSha256 {
  /** Hash `bytes` after everything so far. The bytes are consumed before the call returns (the caller may reuse the buffer). */
  update(bytes: Uint8Array): void;
  /** The digest so far, in hex, without disturbing the running state. */
  hex(): string;
}

/** Node's `createHash`, when the runtime has one (`process.getBuiltinModule`, Node >= 20.16). */
type NodeCreateHash = (algorithm: "sha256") => { update(bytes: Uint8Array): unknown; copy(): { digest(encoding: "hex"): string } };

/** A new running SHA-256: native when the runtime has `node:crypto`, else @noble/hashes (`native: false` forces the latter). */
export function runningSha256(native = true): RunningSha256 {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const crypto = native && typeof proc?.getBuiltinModule === "function" ? (proc.getBuiltinModule("node:crypto") as { createHash?: NodeCreateHash } | undefined) : undefined;
  if (typeof crypto?.createHash === "function") {
    const h = crypto.createHash("sha256");
    return { update: (bytes) => void h.update(bytes), hex: () => h.copy().digest("hex") };
  }
  const h = sha256.create();
  return { update: (bytes) => void h.update(bytes), hex: () => bytesToHex(h.clone().digest()) };
}
