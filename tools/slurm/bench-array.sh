#!/usr/bin/env bash
# One shard of a pinlab bench per Slurm array task: task K of an array of N runs
#   pinlab bench $PINLAB_BENCH_ARGS --shard K/N --out $PINLAB_OUT/parts/shard-K
# Submit it with its merge through tools/slurm/submit.sh, or by hand (guide 6, "Past one machine"):
#   jobid=$(sbatch --parsable --array=1-8 tools/slurm/bench-array.sh)
#   sbatch --dependency=afterok:$jobid tools/slurm/bench-merge.sh
# An --array given to sbatch overrides the one below. Task ids must run from 1 to N.
#
# Configured by environment variables (sbatch passes the submitting shell's environment):
#   PINLAB_BENCH_ARGS  the bench's options, split on spaces, e.g. "--size small --workloads rdma-fork,gup-throughput"
#                      (default: none, the default matrix); --shard and --out are this script's
#   PINLAB_OUT         the shared directory of the run: parts go to PINLAB_OUT/parts/shard-K (default: ./pinlab-bench)
#   PINLAB_SHARDS      N, the number of shards (default: the array's task count)
#   PINLAB_WORKERS     worker threads per task (default: the task's CPUs, SLURM_CPUS_PER_TASK, else 2)
#   PINLAB_NODE        the Node.js (>= 20.19) to run pinlab with (default: node on the task's PATH)
#   PINLAB_REPO        a built pinlab checkout (npm ci && npm run build) on a shared file system
#                      (default: the directory sbatch was run from; Slurm runs a copy of this script,
#                      so the script cannot find the checkout from its own path)
#
# packages/cli/src/bench-engines.test.ts runs this script (through submit.sh, with an sbatch that
# runs jobs at once) on a tiny matrix and checks the merged results equal one unsharded run.
#SBATCH --job-name=pinlab-bench
#SBATCH --array=1-4
#SBATCH --cpus-per-task=2
#SBATCH --time=02:00:00
#SBATCH --output=%x-%A_%a.out
set -euo pipefail

repo="${PINLAB_REPO:-${SLURM_SUBMIT_DIR:-$PWD}}"
out="${PINLAB_OUT:-pinlab-bench}"
shard="${SLURM_ARRAY_TASK_ID:?not an array task: submit with sbatch --array=1-N (or use tools/slurm/submit.sh)}"
shards="${PINLAB_SHARDS:-${SLURM_ARRAY_TASK_COUNT:-${SLURM_ARRAY_TASK_MAX:-}}}"
workers="${PINLAB_WORKERS:-${SLURM_CPUS_PER_TASK:-2}}"
cli="$repo/packages/cli/dist/bin/pinlab.js"
node="${PINLAB_NODE:-node}"

if [ -z "$shards" ]; then
  echo "bench-array.sh: the shard count is unknown: set PINLAB_SHARDS" >&2
  exit 2
fi
if ! command -v "$node" > /dev/null; then
  echo "bench-array.sh: no Node.js ($node) on this node: set PINLAB_NODE to a Node.js 20 binary the compute nodes can run" >&2
  # shellcheck disable=SC2016 # the command is shown, not run
  echo '  (with environment modules, e.g. PINLAB_NODE="$(module load nodejs/20 && command -v node)" before submitting)' >&2
  exit 2
fi
if [ ! -f "$cli" ]; then
  echo "bench-array.sh: $cli does not exist: set PINLAB_REPO to a built pinlab checkout (npm ci && npm run build)" >&2
  exit 2
fi

read -r -a args <<< "${PINLAB_BENCH_ARGS:-}"
mkdir -p "$out/parts"
echo "pinlab bench shard $shard/$shards on $(hostname), $workers worker(s): ${args[*]:-the default matrix}"
# ${args[@]+...}: an empty array under set -u, on the bash 4.2 of older clusters too.
"$node" "$cli" bench --workers "$workers" ${args[@]+"${args[@]}"} --shard "$shard/$shards" --out "$out/parts/shard-$shard"
