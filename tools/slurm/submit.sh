#!/usr/bin/env bash
# Submit a sharded pinlab bench to Slurm: an array of PINLAB_SHARDS tasks (bench-array.sh), and
# the merge (bench-merge.sh) as a job that starts when every task has succeeded. Run it from a
# login node, in a directory on a file system the compute nodes share:
#   PINLAB_SHARDS=8 PINLAB_BENCH_ARGS="--size default" tools/slurm/submit.sh
# Extra arguments go to both sbatch calls (e.g. --partition=compute --account=lab).
# Environment: PINLAB_SHARDS (default 4), PINLAB_BENCH_ARGS, PINLAB_OUT (default ./pinlab-bench;
# it must not hold parts already), PINLAB_WORKERS, PINLAB_REPO (default: the checkout this script
# is in); see bench-array.sh.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
shards="${PINLAB_SHARDS:-4}"
if ! [[ "$shards" =~ ^[1-9][0-9]*$ ]]; then
  echo "submit.sh: PINLAB_SHARDS must be a whole number from 1, got '$shards'" >&2
  exit 2
fi
PINLAB_REPO="${PINLAB_REPO:-$(cd "$here/../.." && pwd)}"
PINLAB_OUT="$(mkdir -p "${PINLAB_OUT:-pinlab-bench}" && cd "${PINLAB_OUT:-pinlab-bench}" && pwd)"
if [ -n "$(ls -A "$PINLAB_OUT/parts" 2>/dev/null)" ]; then
  echo "submit.sh: $PINLAB_OUT/parts already holds parts of another run: set PINLAB_OUT to a new directory, or remove them" >&2
  exit 2
fi
export PINLAB_REPO PINLAB_OUT PINLAB_SHARDS="$shards" PINLAB_BENCH_ARGS="${PINLAB_BENCH_ARGS:-}"

# --parsable prints "jobid" or "jobid;cluster".
array="$(sbatch --parsable --export=ALL --array="1-$shards" "$@" "$here/bench-array.sh")"
array="${array%%;*}"
merge="$(sbatch --parsable --export=ALL --dependency="afterok:$array" "$@" "$here/bench-merge.sh")"
merge="${merge%%;*}"
echo "submitted: array job $array ($shards shards into $PINLAB_OUT/parts), merge job $merge (after the array succeeds)"
echo "report: $PINLAB_OUT/merged/index.html"
