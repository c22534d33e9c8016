/** Where the fake plugins of the bench's tests are, as a specifier workers can import. */
import { fileURLToPath } from "node:url";

/** Absolute path of `fake-plugins.mjs` (policies fake-get, fake-bias, test-exact). */
export const FAKE_PLUGINS = fileURLToPath(new URL("./fake-plugins.mjs", import.meta.url));
