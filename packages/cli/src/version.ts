/** The pinlab version, as the CLI reports it. */
export const CLI_VERSION = "0.1.0";
