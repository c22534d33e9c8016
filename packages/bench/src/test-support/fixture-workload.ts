/** Where the plugin workload of the bench's tests is, as a specifier workers can import. */
import { fileURLToPath } from "node:url";

/** Absolute path of `fixture-workload.mjs` (exports only the workload `longterm-pin-fixture`). */
export const FIXTURE_WORKLOAD = fileURLToPath(new URL("./fixture-workload.mjs", import.meta.url));
