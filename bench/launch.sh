#!/usr/bin/env bash
# Launch cost of nohupx against GNU nohup: 'nohupx true' / 'nohup true',
# run in alternating batches; prints the median ratio. Target: <= 1.10.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
build_nohupx
read -r r a b < <(ratio "${ROUNDS:-21}" "${RUNS:-200}" -- "$BENCH_BIN/nohupx" true -- nohup true)
printf 'launch: nohupx true %s us, nohup true %s us, ratio %s (target <= 1.10)\n' "$a" "$b" "$r"
