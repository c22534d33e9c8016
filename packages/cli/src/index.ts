/**
 * The `pinlab` command-line tool: `run`, `check`, `list`, `schema`, `matrix` (and `bench`).
 * `main(argv, io)` runs it in-process and returns the exit status.
 * @packageDocumentation
 */
import "reflect-metadata";

export { main, buildProgram } from "./main.js";
export { CLI_VERSION } from "./version.js";
export { EXIT, UsageError, processIo, type CliIo } from "./io.js";
export { loadPinlabConfig, pinlabConfigSchema, type PinlabConfig } from "./config/pinlab-config.js";
export { builtinContainer, loadPluginModule, pluginContainer } from "./plugins/load-plugins.js";
export { expandScenarioArgs, isJsonSchemaFile, scenarioFilesOf, type SkippedFile } from "./scenario-files.js";
