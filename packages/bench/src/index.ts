/**
 * pinlab comparative bench: workloads x policies x devices, and its reports.
 * @packageDocumentation
 */

/** The bench package version. */
export const BENCH_VERSION = "0.1.0";
