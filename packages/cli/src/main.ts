/**
 * The `pinlab` command line (commander). `main()` returns the exit status instead of exiting, so
 * tests run it in-process.
 * @module
 */
import { Command, CommanderError, Option } from "commander";
import { ConfigError, PluginError } from "@pinlab/core";
import { registerBenchCommands } from "./commands/bench.js";
import { checkCommand } from "./commands/check.js";
import { exploreCommand } from "./commands/explore.js";
import { fuzzCommand } from "./commands/fuzz.js";
import { hostCommand } from "./commands/host.js";
import { listCommand } from "./commands/list.js";
import { matrixCommand } from "./commands/matrix.js";
import { newCommand } from "./commands/new.js";
import { runCommand } from "./commands/run.js";
import { schemaCommand } from "./commands/schema.js";
import { timelineCommand } from "./commands/timeline.js";
import { EXIT, UsageError, type CliIo } from "./io.js";
import { CLI_VERSION } from "./version.js";

const collect = (v: string, prev: string[] = []) => [...prev, v];

function common(cmd: Command): Command {
  return cmd
    .option("--config <path>", "pinlab config file (default: ./pinlab.config.yaml|yml|json if present)")
    .option("--plugin <path>", "load a policy or device plugin module (repeatable)", collect, []);
}

/** Build the program; `result` receives each command's exit status. */
export function buildProgram(io: CliIo, result: { code: number }): Command {
  const program = new Command("pinlab")
    .description("pinlab: page-pin accounting laboratory. Run scenarios and benches under swappable pin policies.")
    .version(CLI_VERSION, "-V, --version", "print the version")
    .option("--debug", "print stack traces of internal errors")
    .configureOutput({ writeOut: (t) => io.out(t), writeErr: (t) => io.err(t), outputError: (t, write) => write(t) })
    .exitOverride()
    .showHelpAfterError("(run with --help for usage)");
  program.addHelpText("after", `
Examples:
  $ pinlab run scenarios/rdma-mr-fork.yaml --policy all
  $ pinlab check scenarios/
  $ pinlab list
  $ pinlab schema --out scenario.schema.json
  $ pinlab matrix scenarios/
  $ pinlab timeline scenarios/history-vmsplice-leak.yaml
  $ pinlab explore scenarios/explore-dio-writeback.yaml --policy legacy-get,pin-bias
  $ pinlab list kernels
  $ pinlab new device my-ring       # a device plugin skeleton with its scenario, in any directory

Exit status: 0 every expectation held (explore: the exploration ran and every explore entry
held), 1 an expectation (explore: an explore entry) failed, 2 bad input or command line,
70 an internal error (a pinlab bug: please report it with the --debug output).`);

  common(program.command("run"))
    .description("run scenario files under their policies")
    .argument("<files...>", "scenario files (.yaml, .yml, .json) or directories of them")
    .option("-p, --policy <names>", "policy name, comma-separated names, or all (wins over the scenario and PINLAB_POLICY)")
    .option("-k, --kernel <era>", "kernel era to run on, e.g. v5.3 (wins over PINLAB_KERNEL, the scenario's machine.kernel and the config's kernel; pinlab list kernels)")
    .addOption(new Option("-f, --format <format>", "output format").choices(["text", "json"]).default("text"))
    .option("--trace", "print the event stream")
    .option("--seed <n>", "seed (overrides the scenario's)")
    .option("--check", "audit the model's invariants after every step")
    .option("-v, --verbose", "show every step, not only failures")
    .option("--state <steps>", "show the state after these steps (each process's pages, each holder's frames): step indexes from 0, comma-separated, or all")
    .addHelpText("after", `
Examples:
  $ pinlab run scenarios/dio-writeback-race.yaml
  $ pinlab run scenarios/rdma-mr-fork.yaml --state 3,5
  $ pinlab run scenarios/ --policy legacy-get,pin-bias --format json
  $ PINLAB_POLICY=vaddr-pin pinlab run my-race.yaml --trace
  $ pinlab run scenarios/history-vmsplice-leak.yaml --kernel v5.7
  $ PINLAB_KERNEL=v5.9 pinlab run scenarios/rdma-mr-fork.yaml --policy all

Each result line names its kernel era (@v5.3) when it is not the default, v6.12. Without --kernel,
PINLAB_KERNEL, machine.kernel or a config kernel:, each policy runs at its own era (legacy-get: v5.3).`)
    .action(async (files: string[], o) => {
      result.code = await runCommand(files, o, io);
    });

  common(program.command("host"))
    .description("run scenarios on this machine's Linux kernel beside the model, and compare every expectation: expected, model, host")
    .argument("<files...>", "scenario files (.yaml, .yml, .json) or directories of them")
    .option("-p, --policy <name>", "the one policy the model runs under (default: the scenario's, else pin-bias)")
    .option("-k, --kernel <era>", "the model's kernel era (default: the era nearest the running kernel)")
    .addOption(new Option("-f, --format <format>", "output format").choices(["text", "json"]).default("text"))
    .option("-v, --verbose", "show every step not run on the host, every approximation and every expectation")
    .addHelpText("after", `
Examples:
  $ sudo pinlab host scenarios/rdma-mr-fork.yaml
  $ sudo pinlab host scenarios/ --format json > host.json
  $ pinlab host my-race.yaml --verbose        # as any user: no frames, page flags or exact pin deltas

Each step runs in a small C agent (compiled on first use into ~/.cache/pinlab) as the real system
call: mmap, fork, io_uring fixed buffers for long-term pins, vmsplice for FOLL_GET references,
O_DIRECT for direct-io. What has no host equivalent is reported as not on this host, with why;
docs/guides/07-model-fidelity.md has the table. Root is needed for frames (PFNs), page flags and
exact pin-counter deltas. Exit status: 0 the model and the host agree on every observed
expectation, 1 they do not (or a scenario stopped early), 2 bad input or no Linux / C compiler.`)
    .action(async (files: string[], o) => {
      result.code = await hostCommand(files, o, io);
    });

  common(program.command("check"))
    .description("validate scenario files without running them")
    .argument("<files...>", "scenario files or directories")
    .addHelpText("after", "\nExample:\n  $ pinlab check scenarios/ scenarios/invalid/bad-unit.yaml")
    .action(async (files: string[], o) => {
      result.code = await checkCommand(files, o, io);
    });

  common(program.command("list"))
    .description("list the registered policies (with their default kernel era) and devices with their options and actions, and the kernel eras")
    .argument("[what]", "kernels: list only the kernel eras (id, release, date, summary, the commits of each change)")
    .addOption(new Option("-f, --format <format>", "output format").choices(["text", "json"]).default("text"))
    .addHelpText("after", "\nExamples:\n  $ pinlab list\n  $ pinlab list kernels\n  $ pinlab list --plugin ./docs/examples/fixed-buffer-ring/fixed-buffer-ring.mjs --format json")
    .action(async (what: string | undefined, o) => {
      result.code = await listCommand(o, io, what);
    });

  common(program.command("schema"))
    .description("print the JSON Schema of scenario files (for editors)")
    .option("-o, --out <file>", "write it to a file")
    .addHelpText("after", "\nExample:\n  $ pinlab schema --out scenario.schema.json   # then point your YAML language server at it")
    .action(async (o) => {
      result.code = await schemaCommand(o, io);
    });

  common(program.command("matrix"))
    .description("run a scenario library under every policy each file names and print scenario x policy")
    .argument("[paths...]", "scenario files or directories (default: scenarios/)")
    .option("-k, --kernel <era>", "kernel era for every run (wins over PINLAB_KERNEL, each scenario's machine.kernel and the config's kernel)")
    .addHelpText("after", "\nExamples:\n  $ pinlab matrix scenarios/\n  $ pinlab matrix scenarios/ --kernel v5.9")
    .action(async (paths: string[], o) => {
      result.code = await matrixCommand(paths, o, io);
    });

  common(program.command("explore"))
    .description("run every distinct interleaving of a scenario's concurrent blocks; write the order with the fewest preemptions giving each hazard and each failed expectation as a replayable scenario; check the scenario's explore block")
    .argument("<file>", "one scenario file")
    .option("-p, --policy <names>", "policy name, comma-separated names, or all (default: the scenario's, as for run; also PINLAB_POLICY)")
    .option("-k, --kernel <era>", "kernel era to run on (as for run; default: each era the explore block's entries name, and the scenario's own when one names none)")
    .option("--bound <n>", "at most n preemptions (switches away from a thread with parts left) per block (default: the explore block's bound, else none)")
    .addOption(new Option("-f, --format <format>", "output format").choices(["text", "json"]).default("text"))
    .option("--out <dir>", "where the replayable findings are written", "explore-findings")
    .option("--seed <n>", "seed (overrides the scenario's)")
    .option("--no-reduction", "run every merge (no sleep-set reduction)")
    .option("--playground <url>", "print a link opening each finding in the playground served at this URL (e.g. http://localhost:4173/ from npm run preview in apps/playground)")
    .addHelpText("after", `
Orders are the merges of each block's threads (each thread's steps in order), the product over
blocks. A gup, proc_mem_write or fork step has preemption points (gup_fast.read, gup_fast.grab,
gup.faultin, gup.longterm_migrate, fork.copy_pte): it is one order entry per part, and other
threads' steps can run inside it there; an order where such a step would wait for a lock the
interrupted step holds cannot happen (counted as blocked). A fire step runs a pending completion
where it stands. Two steps of different threads commute only when both are process-local ops of
two different, never-forked processes on their own private anonymous memory; the sleep-set
reduction skips an order equivalent to one already run, so the search stays exhaustive within
the bound. A finding is a hazard (class, outcome) or a failed expectation (or a step error); the
order with the fewest preemptions that gives it is written to --out with the block's order:
fixed, its policy and its era. The scenario's explore block (found / absent entries) is checked
last.

Exit status: 0 the exploration ran and every explore entry held (findings are results), 1 an
explore entry failed, 2 bad input.

Examples:
  $ pinlab explore scenarios/explore-dio-writeback.yaml --policy legacy-get,pin-bias
  $ pinlab explore scenarios/explore-dio-writeback.yaml --bound 1 --format json
  $ pinlab explore scenarios/explore-dio-writeback.yaml --playground http://localhost:4173/`)
    .action(async (file: string, o) => {
      result.code = await exploreCommand(file, o, io);
    });

  common(program.command("timeline"))
    .description("run a scenario at every kernel era under each policy: where its hazards and step outcomes change, the commits that changed them, and its history checked")
    .argument("<file>", "one scenario file")
    .option("-p, --policy <names>", "policy name, comma-separated names, or all (default: the scenario's, as for run; also PINLAB_POLICY)")
    .option("--kernels <eras>", "comma-separated kernel eras, or all (default: all; history is checked only over all)")
    .addOption(new Option("-f, --format <format>", "output format").choices(["text", "json"]).default("text"))
    .option("--seed <n>", "seed (overrides the scenario's)")
    .addHelpText("after", `
Per policy it prints one line per era (hazards recorded, then expectations: expect_by_kernel
keys pick each era's), each hazard (class/outcome) with the eras it is recorded in and every
change point, and each step whose outcome (errno, result, hazards at that step) changes between
adjacent eras. A change from era A to era B is cited to the commits of B whose rule change,
applied alone to A's rules (a single-change run), reproduces B's outcome (all of B's changes when none does alone).
The scenario's history entries are checked over every era: PASS or FAIL each.
--kernel and PINLAB_KERNEL do not apply: the timeline runs the eras itself.

Exit status: 0 every history entry holds (or there are none), 1 one fails, 2 bad input.

Examples:
  $ pinlab timeline scenarios/history-vmsplice-leak.yaml
  $ pinlab timeline scenarios/swap-cow-vmsplice.yaml --policy legacy-get --kernels v5.7,v5.8,v5.9-rc4
  $ pinlab timeline scenarios/rdma-mr-fork.yaml --policy all --format json`)
    .action(async (file: string, o) => {
      result.code = await timelineCommand(file, o, io);
    });

  common(program.command("fuzz"))
    .description("run random valid scenarios under every policy twice; report crashes, invariant violations, nondeterminism, hangs, leaks, wrong results and pin-bias/exact-pincount differences, each shrunk to a replayable file")
    .option("--seed <n>", "base seed (default: from the clock; the summary prints it)")
    .option("--steps <n>", "step budget over all policies (default 200000 unless --minutes is given)")
    .option("--minutes <m>", "stop handing out scenarios after this long")
    .option("-j, --jobs <n>", "worker processes", "1")
    .option("-p, --policy <names>", "policy name, comma-separated names, or all", "all")
    .option("-k, --kernel <era>", "kernel era of the generated scenarios (written as machine.kernel, so findings replay at it; also PINLAB_KERNEL or the config's kernel; default: each policy's own era)")
    .option("-o, --out <dir>", "where findings and summary.json go", "fuzz-findings")
    .option("--max-steps <n>", "most steps of a generated scenario before its cleanup tail", "120")
    .option("--timeout <seconds>", "a scenario running longer than this is a hang", "120")
    .option("--no-shrink", "write findings as generated, without shrinking them")
    .option("--replay <files...>", "rerun the fuzzer's checks on scenario files (findings it wrote) instead of generating")
    .option("--fault-sweep <files...>", "run scenario files with one failure injected at each call of each fault point in turn (the first 16), under the fuzzer's checks")
    .addHelpText("after", `
Each scenario runs under every policy twice, with the invariant audit after every step and, after
a cleanup tail (release, deregister, settle, exit), a leak audit: no pin, no pinned_vm, balanced
nr_foll_pin_*, no file pin or lease, no frame held by a device, no stray allocated frame.
A finding is shrunk (delta debugging over steps, then fields) and written to --out with the
command that replays it. Exit status: 0 no finding, 1 findings, 2 bad input.

Examples:
  $ pinlab fuzz --steps 400000 --jobs 2
  $ pinlab fuzz --minutes 10 --policy pin-bias,exact-pincount --seed 7
  $ pinlab fuzz --steps 50000 --kernel v5.9
  $ pinlab fuzz --plugin ./docs/examples/fixed-buffer-ring/fixed-buffer-ring.mjs --steps 50000
  $ pinlab fuzz --replay fuzz-findings/leak-vaddr-pin-1234.yaml
  $ pinlab fuzz --fault-sweep scenarios/rdma-mr-fork.yaml --policy pin-bias`)
    .action(async (o) => {
      result.code = await fuzzCommand(o, io);
    });

  program.command("new")
    .description("write a plugin skeleton: KIND.mjs (a documented plain ES module), a scenario that exercises it, and a pinlab.config.yaml that loads it")
    .argument("<kind>", "device or policy")
    .argument("<name>", "the plugin id: lower-case kebab-case (my-ring); also the files' names")
    .option("-d, --dir <dir>", "write into this directory (made if missing) instead of the working directory")
    .addHelpText("after", `
Writes, into the working directory or --dir:
  NAME.mjs            the plugin, one plain ES module (no build step, no install: pinlab resolves
                      its @pinlab/* and zod imports to its own copies, wherever the file is)
  NAME.yaml           a scenario that exercises it and passes as written
  pinlab.config.yaml  plugins: [./NAME.mjs], only when the directory has no config yet (when it
                      has one, it is left alone: add the plugin to its plugins:, or use --plugin)
A device skeleton pins a buffer long-term, DMAs into it and unpins; a policy skeleton starts as
pin-bias with its main hooks spelt out. Existing files are never overwritten: when one is in the
way nothing is written (exit 2). Guides 3 and 4 explain every part.

Examples:
  $ mkdir /tmp/foo && cd /tmp/foo && pinlab new device foo && pinlab run foo.yaml
  $ pinlab new policy no-fork-copy --dir my-policy && cd my-policy && pinlab check no-fork-copy.yaml
  $ pinlab run --plugin foo.mjs foo.yaml     # without the config`)
    .action((kind: string, name: string, o) => {
      result.code = newCommand(kind, name, o, io);
    });

  registerBenchCommands(program, io, result);

  return program;
}

/**
 * True for errors caused by what the user gave (exit status 2, the message alone, no stack trace):
 * usage, a bad config, and every plugin problem (`PluginError`: an unknown id, bad options, a
 * duplicate device name or plugin id, a malformed descriptor, a plugin breaking its contract).
 */
export function isBadInput(e: unknown): e is Error {
  return e instanceof UsageError || e instanceof ConfigError || e instanceof PluginError;
}

/** Run the CLI with `argv` (without the node and script entries). Returns the exit status. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const result = { code: EXIT.OK as number };
  const program = buildProgram(io, result);
  const debug = argv.includes("--debug");
  try {
    await program.parseAsync([...argv], { from: "user" });
    return result.code;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.code === "commander.help") return EXIT.OK;
      return EXIT.USAGE;
    }
    if (isBadInput(e)) {
      io.err(`pinlab: ${e.message}\n`);
      return EXIT.USAGE;
    }
    io.err(`pinlab: internal error: ${(e as Error).message}\n${debug ? `${(e as Error).stack}\n` : "(run with --debug for the stack trace)\n"}`);
    return EXIT.INTERNAL;
  }
}
