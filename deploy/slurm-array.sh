#!/bin/bash
# A sharded backfill as a Slurm array job: one task per shard
# (SLURM_ARRAY_TASK_ID is K). Nothing is kept on the node: each task writes its
# checkpoint file from its own cc_checkpoint row first, so a task that fails,
# is preempted or is resubmitted continues where its shard stopped.
#   sbatch deploy/slurm-array.sh                  # all 8 shards
#   sbatch --array=3,5 deploy/slurm-array.sh      # rerun the failed ones
# The password comes from ~/.pgpass (or PGPASSWORD in the environment sbatch
# passes on), the provider keys from ~/.chaincast/rpc-urls (one per line).
# Run by Tests/SinkTests/DeployManifestTests.swift against the fixture node.
#SBATCH --job-name=usdc-backfill
#SBATCH --array=0-7
#SBATCH --requeue
#SBATCH --cpus-per-task=1
#SBATCH --mem=256M
#SBATCH --time=2-00:00:00
#SBATCH --output=backfill-%A_%a.log
set -euo pipefail
K=${SLURM_ARRAY_TASK_ID:?submit with sbatch --array}
SHARDS=${SHARDS:-8}   # keep equal to the --array size
FROM=${FROM:-6082465}
TO=${TO:-21000000}
CHUNK=${CHUNK:-10000}
ADDRESS=${ADDRESS:-0xA0b86991c6218b36c1D19D4a2e9Eb0cE3606eB48}
SCHEMA=${SCHEMA:-usdc}
export PGHOST=${PGHOST:-db.internal} PGDATABASE=${PGDATABASE:-chain} PGUSER=${PGUSER:-etl}
if [ -z "${CC_RPC_URL:-}" ]; then
  mapfile -t urls < "${RPC_URLS_FILE:-$HOME/.chaincast/rpc-urls}"
  export CC_RPC_URL="${urls[$((K % ${#urls[@]}))]}"
fi
ck="${TMPDIR:-/tmp}/ck-${SLURM_ARRAY_JOB_ID:-0}-$K.json"
cc-sink postgres "" --schema "$SCHEMA" --stream "$K/$SHARDS" --checkpoint "$ck" --print-checkpoint
cc-fetch --from "$FROM" --to "$TO" --shard "$K/$SHARDS" --shard-chunk "$CHUNK" \
    --address "$ADDRESS" --abi erc20 --checkpoint "$ck" |
  cc-decode --abi erc20 |
  cc-sink postgres "" --schema "$SCHEMA" --tables per-event --stream "$K/$SHARDS" --checkpoint "$ck"
