/**
 * pinlab comparative bench: workloads x policies x devices, run in worker threads, and its
 * reports (terminal table, JSON, CSV, markdown, a self-contained HTML report with charts). The
 * bench imports only `@pinlab/core`: policies and devices reach it through the plugin registry,
 * from module specifiers its caller passes. A plugin module may also export workloads (made with
 * {@link defineWorkload} and {@link workloadParams}), and any scenario file can be benched as a
 * workload (`scenario:NAME`).
 * @packageDocumentation
 */
export * from "./version.js";
export * from "./workloads/define-workload.js";
export * from "./workloads/registry.js";
export * from "./workloads/workload-catalog.js";
export * from "./workloads/plugin-workloads.js";
export * from "./workloads/scenario-workload.js";
export * from "./workloads/scenario-sample.js";
export * from "./workloads/gup-throughput.js";
export * from "./workloads/support/device-driver.js";
export * from "./workloads/support/params.js";
export * from "./cost-model/constants.js";
export * from "./cost-model/sim-ledger.js";
export * from "./probe/stats.js";
export * from "./probe/pin-audit.js";
export * from "./probe/cell-kernel.js";
export * from "./probe/sample-probe.js";
export * from "./runner/bench-input-error.js";
export * from "./runner/cell.js";
export * from "./runner/results.js";
export * from "./runner/seed.js";
export * from "./runner/shard.js";
export * from "./runner/matrix.js";
export * from "./runner/sweep.js";
export * from "./runner/sweep-coordinates.js";
export * from "./runner/sweep-resolve.js";
export * from "./runner/sweep-expand.js";
export * from "./runner/spread.js";
export * from "./runner/aggregate.js";
export * from "./runner/resolve-params.js";
export * from "./runner/run-cell.js";
export * from "./runner/load-plugins.js";
export * from "./runner/scenario-workloads.js";
export * from "./plugin-resolve/register.js";
export * from "./plugin-resolve/syntax-location.js";
export * from "./runner/pool.js";
export * from "./runner/capacity-probe.js";
export * from "./runner/context.js";
export * from "./runner/speed-goals.js";
export * from "./runner/run-bench.js";
export * from "./runner/results-schema.js";
export * from "./runner/read-results.js";
export * from "./runner/merge.js";
export * from "./runner/time-interval.js";
export * from "./runner/compare-exact.js";
export * from "./runner/compare.js";
export * from "./runner/compare-gate.js";
export * from "./runner/deterministic-view.js";
export * from "./report/format.js";
export * from "./report/noise-wins.js";
export * from "./report/analysis.js";
export * from "./report/text-table.js";
export * from "./report/spread-format.js";
export * from "./report/run-shape.js";
export * from "./report/cell-rows.js";
export * from "./report/terminal.js";
export * from "./report/csv.js";
export * from "./report/markdown.js";
export * from "./report/charts.js";
export * from "./report/sweep-charts.js";
export * from "./report/html.js";
export * from "./report/write-report.js";
export * from "./model/model-checks.js";
export * from "./model/model-goals.js";
export * from "./model/model-judge.js";
export * from "./model/model-suite.js";
export * from "./model/scenario-text.js";
