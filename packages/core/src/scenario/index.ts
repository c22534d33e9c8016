/**
 * The scenario engine: read, validate and run scenario files (docs/reference/scenario-format.md).
 * @module
 */
export * from "./scenario-error.js";
export * from "./source-map.js";
export * from "./schema/expectations.js";
export * from "./schema/steps.js";
export * from "./schema/scenario.js";
export * from "./registry-view.js";
export * from "./load-scenario.js";
export * from "./bindings.js";
export * from "./strings.js";
export * from "./observe.js";
export * from "./state-snapshot.js";
export * from "./report.js";
export * from "./run-context.js";
export * from "./expect.js";
export * from "./runner.js";
export * from "./json-schema.js";
export { EXECUTORS, execute, type Executors } from "./ops/index.js";
export * from "./schema/concurrent.js";
export * from "./schema/explore.js";
export * from "./concurrent-block.js";
export * from "./interleave.js";
export * from "./interleavings.js";
export * from "./step-independence.js";
export * from "./block-schedule.js";
export * from "./step-points.js";
