#!/usr/bin/env bash
# Launch cost against GNU nohup, in alternating batches; prints median ratios.
#   nohupx true / nohup true                          target <= 1.10
#   nohupx --all-stdio --output f true / nohup true   target <= 3.00
#     (the second starts the rotating relay; --all-stdio makes nohupx
#     redirect even though the bench's stdout is not a terminal)
#   nohupx true / nohupx --no-record true            target <= 1.05
#     (what writing the job record costs a launch)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
build_nohupx
out="$BENCH_BIN/launch.out"
# The records of thousands of launches go to a directory of the bench's.
export XDG_STATE_HOME="$BENCH_BIN/state"
rm -rf "$XDG_STATE_HOME"
read -r r a b < <(ratio "${ROUNDS:-21}" "${RUNS:-200}" -- "$BENCH_BIN/nohupx" true -- nohup true)
printf 'launch: nohupx true %s us, nohup true %s us, ratio %s (target <= 1.10)\n' "$a" "$b" "$r"
read -r r a b < <(ratio "${ROUNDS:-21}" "${RUNS:-100}" -- "$BENCH_BIN/nohupx" -q --all-stdio --output "$out" true -- nohup true)
printf 'launch with relay: nohupx --output f true %s us, nohup true %s us, ratio %s (target <= 3.00)\n' "$a" "$b" "$r"
read -r r a b < <(ratio "${ROUNDS:-21}" "${RUNS:-200}" -- "$BENCH_BIN/nohupx" true -- "$BENCH_BIN/nohupx" --no-record true)
printf 'record: nohupx true %s us, nohupx --no-record true %s us, ratio %s (target <= 1.05)\n' "$a" "$b" "$r"
rm -rf "$XDG_STATE_HOME"
