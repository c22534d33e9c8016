#!/usr/bin/env node
// A stand-in for Slurm's sbatch, for the engine test: it runs the job at once, in the
// foreground, one array task after another, with the variables Slurm sets (SLURM_JOB_ID,
// SLURM_ARRAY_JOB_ID, SLURM_ARRAY_TASK_ID/COUNT/MIN/MAX, SLURM_SUBMIT_DIR, SLURM_CPUS_PER_TASK),
// and keeps each job's state and output in $FAKE_SLURM_STATE: a job whose --dependency=afterok
// job did not succeed never runs, as with Slurm. It reads --array and --cpus-per-task from the
// script's #SBATCH lines when the command line does not give them, and refuses options it does
// not know, so a script that starts relying on one fails the test instead of being half-run.
import { spawnSync } from "node:child_process";
import process from "node:process";
import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

const state = process.env.FAKE_SLURM_STATE;
if (state === undefined) throw new Error("fake sbatch: set FAKE_SLURM_STATE to a directory");
const jobsFile = join(state, "jobs.json");
const jobs = existsSync(jobsFile) ? JSON.parse(readFileSync(jobsFile, "utf8")) : [];

const fail = (message) => {
  process.stderr.write(`sbatch: error: ${message}\n`);
  process.exit(1);
};

/** Options as `--key=value` or `--key value`, up to the script. */
function parseOptions(args) {
  const opts = {};
  let i = 0;
  for (; i < args.length && args[i].startsWith("-"); i++) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(args[i]);
    if (m === null) fail(`fake sbatch does not know the option ${args[i]}`);
    const flag = m[1] === "parsable";
    opts[m[1]] = flag ? true : m[2] ?? args[++i];
  }
  return { opts, script: args[i], scriptArgs: args.slice(i + 1) };
}

const { opts, script, scriptArgs } = parseOptions(process.argv.slice(2));
if (script === undefined) fail("no batch script given");
const known = new Set(["parsable", "array", "dependency", "export", "cpus-per-task", "job-name", "time", "output", "partition", "account"]);
for (const k of Object.keys(opts)) if (!known.has(k)) fail(`fake sbatch does not know the option --${k}`);
const directives = Object.fromEntries(readFileSync(script, "utf8").split("\n")
  .map((l) => /^#SBATCH\s+--([a-z-]+)=(\S+)/.exec(l)).filter((m) => m !== null).map((m) => [m[1], m[2]]));
const option = (k) => opts[k] ?? directives[k];
if ((option("export") ?? "ALL") !== "ALL") fail("fake sbatch supports only --export=ALL");

const id = 1000 + jobs.length;
const job = { id, script: resolve(script), options: opts, state: "ok", tasks: [] };
const dependency = option("dependency");
const after = dependency === undefined ? [] : (() => {
  const m = /^afterok:(\d+(?::\d+)*)$/.exec(dependency);
  if (m === null) fail(`fake sbatch supports only --dependency=afterok:ID, got ${dependency}`);
  return m[1].split(":").map(Number);
})();

if (after.some((d) => jobs.find((j) => j.id === d)?.state !== "ok")) {
  job.state = "DependencyNeverSatisfied";
} else {
  const array = option("array");
  const range = array === undefined ? null : /^(\d+)-(\d+)(%\d+)?$/.exec(array);
  if (array !== undefined && range === null) fail(`fake sbatch supports only --array=A-B, got ${array}`);
  const tasks = range === null ? [null] : Array.from({ length: Number(range[2]) - Number(range[1]) + 1 }, (_, k) => Number(range[1]) + k);
  for (const task of tasks) {
    const env = {
      ...process.env, SLURM_JOB_ID: String(id + (task ?? 0)), SLURM_SUBMIT_DIR: process.cwd(),
      ...(option("cpus-per-task") !== undefined ? { SLURM_CPUS_PER_TASK: option("cpus-per-task") } : {}),
      ...(task === null ? {} : {
        SLURM_ARRAY_JOB_ID: String(id), SLURM_ARRAY_TASK_ID: String(task), SLURM_ARRAY_TASK_COUNT: String(tasks.length),
        SLURM_ARRAY_TASK_MIN: String(tasks[0]), SLURM_ARRAY_TASK_MAX: String(tasks.at(-1)),
      }),
    };
    const r = spawnSync("bash", [script, ...scriptArgs], { env, encoding: "utf8" });
    const log = join(state, `job-${id}${task === null ? "" : `_${task}`}.log`);
    appendFileSync(log, `${r.stdout}${r.stderr}`);
    job.tasks.push({ task, status: r.status, log });
    if (r.status !== 0) job.state = "failed";
  }
}
jobs.push(job);
writeFileSync(jobsFile, JSON.stringify(jobs, null, 2));
process.stdout.write(opts.parsable === true ? `${id}\n` : `Submitted batch job ${id}\n`);
