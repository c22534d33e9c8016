/** The bench package version (and the pinlab version it belongs to). */
export const BENCH_VERSION = "0.1.0";
