/**
 * `pinlab check FILE...`: validate scenario files without running them.
 * @module
 */
import { formatProblem } from "@pinlab/core";
import { EXIT, type CliIo } from "../io.js";
import { style } from "../output/style.js";
import { readScenarios, setUp, type CommonOptions } from "./shared.js";

/** Validate scenario files. Returns the exit status (0 all valid, 2 otherwise). */
export async function checkCommand(files: readonly string[], opts: CommonOptions, io: CliIo): Promise<number> {
  const { container } = await setUp(opts, io);
  const { loaded, problems, skipped } = readScenarios(files, container, io);
  const s = style(io.isTTY, io.env);
  for (const sk of skipped) io.out(`${s.dim(`skipped ${sk.file} (${sk.why})`)}\n`);
  for (const sc of loaded) io.out(`${s.ok("ok")} ${sc.file} (${sc.header.name}, ${sc.steps.length} steps)\n`);
  if (problems.length > 0) {
    io.err(`${problems.map(formatProblem).join("\n")}\n`);
    return EXIT.USAGE;
  }
  return EXIT.OK;
}
