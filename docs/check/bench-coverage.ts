/**
 * Guide 6 against the bench as built: it names every workload the bench registers and every
 * option of `pinlab bench run` (read from the built CLI's own help, so a new flag without a line
 * in the guide fails the docs test).
 * @module
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { listWorkloads } from "@pinlab/bench";
import type { MarkdownDoc } from "./markdown.js";

/** The long options `pinlab bench run --help` lists (`--help` itself left out). */
export function benchRunOptions(workspaceRoot: string): string[] {
  const help = execFileSync(process.execPath, [join(workspaceRoot, "packages/cli/dist/bin/pinlab.js"), "bench", "run", "--help"], { encoding: "utf8" });
  const flags = [...help.matchAll(/^\s+(?:-\w, )?(--[a-z][a-z-]*)/gm)].map((m) => m[1]!);
  return [...new Set(flags)].filter((f) => f !== "--help");
}

/** The workload ids the bench registers. */
export function benchWorkloadIds(): string[] {
  return listWorkloads().map((w) => w.meta.id);
}

/** What guide 6 leaves out: one message per missing workload or option. */
export function checkBenchCoverage(guide: MarkdownDoc, workloadIds: readonly string[], options: readonly string[]): string[] {
  const text = guide.lines.join("\n");
  const named = (word: string) => new RegExp(`(^|[^\\w-])${word.replace(/[-]/g, "\\-")}(?![\\w-])`, "m").test(text);
  return [
    ...workloadIds.filter((id) => !named(id)).map((id) => `${guide.file}: the guide does not name the workload \`${id}\``),
    ...options.filter((o) => !text.includes(`\`${o}`)).map((o) => `${guide.file}: the guide does not describe the option \`${o}\` of pinlab bench run`),
  ];
}
