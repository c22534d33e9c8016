#!/usr/bin/env bash
# Merge the parts a tools/slurm/bench-array.sh array wrote into one report:
#   pinlab bench merge $PINLAB_OUT/parts --out $PINLAB_OUT/merged
# Submit it to start when every array task has succeeded (tools/slurm/submit.sh does both):
#   sbatch --dependency=afterok:$ARRAY_JOBID tools/slurm/bench-merge.sh
# Configured by the same environment variables as bench-array.sh: PINLAB_OUT (default
# ./pinlab-bench), PINLAB_NODE (default: node on the PATH) and PINLAB_REPO (default: the
# directory sbatch was run from).
#SBATCH --job-name=pinlab-bench-merge
#SBATCH --cpus-per-task=1
#SBATCH --time=00:20:00
#SBATCH --output=%x-%j.out
set -euo pipefail

repo="${PINLAB_REPO:-${SLURM_SUBMIT_DIR:-$PWD}}"
out="${PINLAB_OUT:-pinlab-bench}"
cli="$repo/packages/cli/dist/bin/pinlab.js"
node="${PINLAB_NODE:-node}"

if [ ! -f "$cli" ]; then
  echo "bench-merge.sh: $cli does not exist: set PINLAB_REPO to a built pinlab checkout (npm ci && npm run build)" >&2
  exit 2
fi
if ! command -v "$node" > /dev/null; then
  echo "bench-merge.sh: no Node.js ($node) on this node: set PINLAB_NODE to a Node.js 20 binary the compute nodes can run" >&2
  # shellcheck disable=SC2016 # the command is shown, not run
  echo '  (with environment modules, e.g. PINLAB_NODE="$(module load nodejs/20 && command -v node)" before submitting)' >&2
  exit 2
fi

"$node" "$cli" bench merge "$out/parts" --out "$out/merged"
