/**
 * (issue 21) A link that opens a scenario in the playground (`pinlab explore --playground URL`):
 * the playground's URL fragment (apps/playground/src/model/share.ts, link version 1): the
 * scenario text compressed with raw deflate (node:zlib here, the platform's CompressionStream
 * there: both read and write RFC 1951), then base64url without padding, the position and the
 * policies of the columns. The fragment never reaches a server; the base URL is where the user
 * serves the playground (`npm run preview` in apps/playground, or its dist/ anywhere).
 * @module
 */
import { deflateRawSync } from "node:zlib";
import { UsageError } from "../io.js";

/** The link version the playground reads (share.ts `VERSION`). */
const LINK_VERSION = "1";

/** Parse `--playground`: an absolute URL; its fragment, if any, is dropped. */
export function parsePlaygroundBase(v: string): URL {
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    throw new UsageError(`--playground must be the playground's absolute URL (e.g. http://localhost:4173/), got "${v}"`);
  }
  if (!["http:", "https:", "file:"].includes(url.protocol)) throw new UsageError(`--playground must be an http(s) or file URL, got "${v}"`);
  url.hash = "";
  return url;
}

/** The link opening scenario `text` at position `pos` with a column per policy of `policies`. */
export function playgroundLink(base: URL, text: string, policies: readonly string[], pos = 0): string {
  const params = new URLSearchParams();
  params.set("v", LINK_VERSION);
  params.set("s", deflateRawSync(Buffer.from(text, "utf8")).toString("base64url"));
  params.set("p", String(pos));
  if (policies.length > 0) params.set("pol", policies.join(","));
  const url = new URL(base);
  url.hash = params.toString();
  return url.href;
}
