/**
 * The bench commands of the CLI: `pinlab bench` (run), `bench merge`, `bench compare`,
 * `bench model`, `bench scaling`, `bench workloads`, and `pinlab start` (the default bench).
 * @module
 */
import { Option, type Command } from "commander";
import { MODEL_CHECKS, SIZE_NAMES } from "@pinlab/bench";
import { UsageError, type CliIo } from "../io.js";
import { BENCH_FORMATS, benchCommand, startCommand } from "./bench-run.js";
import { compareCommand, mergeCommand, modelCommand, scalingCommand, workloadsCommand } from "./bench-tools.js";

const collect = (v: string, prev: string[] = []) => [...prev, v];

function pluginOptions(cmd: Command): Command {
  return cmd
    .option("--config <path>", "pinlab config file (its plugins: are loaded too)")
    .option("--plugin <path>", "load a policy or device plugin module into every worker (repeatable)", collect, []);
}

/** `--sweep` and `--seeds`, shared by bench run, bench scaling and start. */
function sweepOptions(cmd: Command): Command {
  return cmd
    .option("--sweep <target.key=v1,v2>", "one matrix axis per sweep (repeatable): a workload parameter or a policy option over values, e.g. pin-bias.bias=256,1024,4096", collect, [])
    .option("--seeds <n>", "run every cell with n seeds derived from the run seed; report medians with their spread", "1");
}

function matrixOptions(cmd: Command): Command {
  return sweepOptions(pluginOptions(cmd)
    .option("--workloads <ids>", "comma-separated workload ids (default: all, with the plugins' and the scenarios'; see pinlab bench workloads)")
    .option("--scenarios <files>", "bench scenario files as workloads scenario:NAME (files or directories; repeatable or comma-separated); each runs per policy and era of the matrix", collect, [])
    .option("--policies <ids>", "all, or comma-separated policy ids", "all")
    .option("--kernels <ids>", "kernel eras every policy runs at: all, or comma-separated era ids (see pinlab list); default: each policy at its own era (legacy-get v5.3, the others v6.12)")
    .option("--kernel <id>", "run every policy at this kernel era (--kernels with one id)")
    .option("--devices <kinds>", "only variants driving these devices (comma-separated; none = no device plugin)")
    .addOption(new Option("--size <size>", "workload sizes").choices([...SIZE_NAMES]).default("small"))
    .option("--seed <n>", "seed of the run (each cell derives its own from it)", "1")
    .option("--shard <K/N>", "run only shard K of N (a deterministic subset; merge the parts with bench merge)")
    .option("--param <workload.key=value>", "override a workload parameter (repeatable), e.g. gup-throughput.memory=64MiB", collect, []));
}

/** The error for an operand of `bench` that is no subcommand: `bench frob`, or `bench run frob`. */
function strayOperand(bench: Command, operand: string): UsageError {
  const names = bench.commands.map((c) => c.name()).join(", ");
  if (bench.args[0] === "run") return new UsageError(`bench run takes no argument, got "${operand}"; bench commands: ${names}`);
  return new UsageError(`unknown bench command "${operand}"; bench commands: ${names} (pinlab bench [options] is pinlab bench run [options])`);
}

/** Register `bench` (with its subcommands) and `start` on the program; `result` receives the exit status. */
export function registerBenchCommands(program: Command, io: CliIo, result: { code: number }): void {
  const bench: Command = program.command("bench")
    .description("the comparative bench: workloads x policies x device variants, in worker threads (bench run is the default)")
    .addHelpText("after", (): string => `
Options of a run (pinlab bench [options] is pinlab bench run [options]; pinlab bench run --help says more):
${bench.commands.find((c: Command) => c.name() === "run")!.options.map((o: Option) => `  ${o.flags.padEnd(32)}${o.description}`).join("\n")}

Examples:
  $ pinlab bench --size small --out pinlab-report
  $ pinlab bench --workloads rdma-fork,dio-writeback-race --policies legacy-get,pin-bias
  $ pinlab bench --workloads rdma-fork --policies legacy-get,pin-bias --kernels v5.3,v6.12   (each policy at both eras)
  $ pinlab bench --scenarios scenarios/rdma-mr-fork.yaml --workloads scenario:rdma-mr-fork   (a scenario as a workload)
  $ pinlab bench --plugin ./vfio.mjs --scenarios vfio.yaml --devices vfio-type1   (a device plugin's scenario)
  $ pinlab bench --size tiny --workloads shared-library-false-positive --sweep pin-bias.bias=256,1024,4096 --seeds 3 --out sweep-report
  $ pinlab bench --shard 1/2 --out part1 && pinlab bench --shard 2/2 --out part2 && pinlab bench merge part1 part2 --out merged
  $ pinlab bench merge parts/ --out merged             (every results.json below parts/)
  $ pinlab bench merge 'parts/shard-*' --out merged    (a glob, expanded by pinlab)
  $ pinlab bench compare baseline/results.json pinlab-report/results.json --fail-on time,hazards
  $ pinlab bench model
  $ pinlab bench model --checks pin-order0,unpin-order0,call

Exit status: 0 every cell ran, 1 a cell failed (or bench merge was given only some shards, or bench compare found a change --fail-on names), 2 bad input,
70 an internal error.`);

  matrixOptions(bench.command("run", { isDefault: true }))
    .description("run the comparative bench (the default: pinlab bench [options] is pinlab bench run [options])")
    .option("--workers <n>", "worker threads", "2")
    .option("-o, --out <dir>", "write index.html, results.json, results.csv and results.md there")
    .addOption(new Option("-f, --format <format>", "what to print on stdout").choices([...BENCH_FORMATS]).default("table"))
    .option("--dry-run", "check every option against the registries and print the cells (with sweeps and the shard), run nothing")
    // Operands reach run when they name no subcommand (`bench frob`): say so instead of "too many arguments for 'run'".
    .allowExcessArguments(true)
    .action(async (o, cmd: Command) => {
      if (cmd.args.length > 0) throw strayOperand(bench, cmd.args[0]);
      result.code = await benchCommand(o, io);
    });

  bench.command("merge")
    .description("merge the results of shards into one: result directories, results.json files, a directory of parts (every results.json below it), or a glob")
    .argument("<paths...>", "shard result directories or results.json files, a directory of parts, or a glob such as 'parts/shard-*' (quoted: pinlab expands it)")
    .option("-o, --out <dir>", "write the merged reports there (not one of the parts)")
    .option("--allow-partial", "exit 0 when shards are missing (the merge still names them); without it a partial merge exits 1")
    .addOption(new Option("-f, --format <format>", "what to print on stdout").choices([...BENCH_FORMATS]).default("table"))
    .action((paths: string[], o) => {
      result.code = mergeCommand(paths, o, io);
    });

  bench.command("compare")
    .description("compare a run against a baseline: timing per cell judged against the noise each run recorded (a change only when the intervals do not overlap), hazards, refusals and false positives exactly; exit 1 only for what --fail-on names")
    .argument("<base>", "baseline results.json (or its directory)")
    .argument("<new>", "new results.json (or its directory)")
    .option("--tolerance <t>", "a timing ratio within this is no change even when the intervals are apart, 0.1 or 10%", "10%")
    .option("--fail-on <kinds>", "exit 1 when these changed: time (a cell slower beyond its noise), hazards, refusals, false-positives, other (false negatives, accounting bytes, simulated ns, errors), or none", "hazards,refusals,false-positives")
    .option("--allow-mismatch", "compare runs of different sizes or seeds (with a warning) instead of refusing")
    .addOption(new Option("-f, --format <format>", "output format").choices(["table", "json"]).default("table"))
    .action((base: string, current: string, o) => {
      result.code = compareCommand(base, current, o, io);
    });

  pluginOptions(bench.command("model"))
    .description("model micro-benchmarks (issue 18's table: order-0 pin/unpin against a warmed bare loop, huge folios, one-page calls, 100,000-step scenarios, memory per page; then machine creation, touch scaling, 10,000-step scenario, bulk event counts), each in a fresh process")
    .option("--policy <id>", "policy the kernels are built with (default pin-bias)")
    .option("--checks <a,b>", `run only these checks, in this order (${MODEL_CHECKS.join(", ")})`)
    .addOption(new Option("-f, --format <format>", "output format").choices(["table", "json"]).default("table"))
    .option("--scale <s>", "shrink every size by this factor (0..1] for a quick look; verdicts need 1", "1")
    .option("-o, --out <dir>", "add the verdicts to the results in this directory and re-render its reports")
    .action(async (o) => {
      result.code = await modelCommand(o, io);
    });

  matrixOptions(bench.command("scaling"))
    .description("time the same matrix with 1 and with 2 workers (or --workers-list) and report the speed-up")
    .option("--workers-list <n,m>", "worker counts to time, in order", "1,2")
    .option("-o, --out <dir>", "write the last run's reports there, with the timings in their context")
    .action(async (o) => {
      result.code = await scalingCommand(o, io);
    });

  pluginOptions(bench.command("workloads"))
    .description("list the workloads: what each models, its device variants and sizes (with --plugin and --scenarios, theirs too)")
    .option("--scenarios <files>", "scenario files or directories to list as workloads (repeatable or comma-separated)", collect, [])
    .addOption(new Option("-f, --format <format>", "output format").choices(["text", "json"]).default("text"))
    .action(async (o) => {
      result.code = await workloadsCommand(o, io);
    });

  sweepOptions(pluginOptions(program.command("start")))
    .description("the default bench: size small, every workload and policy, 2 workers; writes pinlab-report/index.html and results.json")
    .option("--workers <n>", "worker threads", "2")
    .addOption(new Option("--size <size>", "workload sizes (tiny: a smoke run)").choices([...SIZE_NAMES]).default("small"))
    .option("-o, --out <dir>", "report directory", "pinlab-report")
    .action(async (o) => {
      result.code = await startCommand(o, io);
    });
}
