#!/usr/bin/env bash
# One paratox sweep as a SLURM job array: array task k runs shard k of N, then a dependent job merges.
#
#   sbatch examples/batch/slurm-array.sh                       # submits the array and the merge job
#   SWEEP=scenarios/sweeps/eclipse-defences.json SHARDS=10 sbatch examples/batch/slurm-array.sh
#
# Run from the repository root on a shared file system (npm ci done once). A task that is requeued or rerun
# resumes its shard: the cells it finished are skipped.
#SBATCH --job-name=paratox-sweep
#SBATCH --array=0-3
#SBATCH --cpus-per-task=2
#SBATCH --mem=4G
#SBATCH --time=02:00:00
#SBATCH --output=reports/sweeps/slurm-%A_%a.log
set -euo pipefail

SWEEP="${SWEEP:-scenarios/sweeps/noise-padding.yaml}"
NAME="$(basename "${SWEEP%.*}")"
OUT="${OUT:-reports/sweeps/$NAME}"

if [[ -z "${SLURM_ARRAY_TASK_ID:-}" ]]; then
  echo "not inside a SLURM array task; submit with: sbatch $0" >&2
  exit 2
fi
# The shard count is the array's size (--array=0-3 gives 4); SLURM_ARRAY_TASK_COUNT says it.
SHARDS="${SHARDS:-${SLURM_ARRAY_TASK_COUNT}}"

npx paratox sweep "$SWEEP" \
  --shard "${SLURM_ARRAY_TASK_ID}/${SHARDS}" \
  --workers "${SLURM_CPUS_PER_TASK:-1}" \
  --out-dir "$OUT/shard-${SLURM_ARRAY_TASK_ID}"

# The first task queues the merge, to start once every task of this array ended successfully.
if [[ "$SLURM_ARRAY_TASK_ID" == "0" ]]; then
  sbatch --dependency="afterok:${SLURM_ARRAY_JOB_ID}" --job-name=paratox-merge --output="$OUT/merge.log" \
    --wrap="npx paratox merge $OUT/shard-* --out $OUT/merged"
fi
