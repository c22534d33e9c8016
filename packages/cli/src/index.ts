/**
 * The `pinlab` command-line tool.
 * @packageDocumentation
 */

/** The CLI version. */
export const CLI_VERSION = "0.1.0";
