/**
 * The one spelling of every id a user types to name a contribution: a policy (`pin-bias`), a
 * device kind (`rdma-mr`), a bench workload or variant (`gup-throughput`). Lower-case
 * kebab-case, so ids read the same in YAML, on a command line and in a URL.
 * @module
 */

/** The body of a plugin id, without anchors, to build larger patterns from (`WORKLOAD.KEY=VALUE`). */
export const PLUGIN_ID_PATTERN = "[a-z][a-z0-9-]*";

/** A whole plugin id: lower-case kebab-case (`[a-z][a-z0-9-]*`). */
export const PLUGIN_ID = new RegExp(`^${PLUGIN_ID_PATTERN}$`);

/** True when `id` is a valid plugin id. */
export function isPluginId(id: string): boolean {
  return PLUGIN_ID.test(id);
}
