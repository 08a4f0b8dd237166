#!/usr/bin/env bash
# detach against util-linux setsid: 'detach true' (which returns only once
# true has been exec'd) / 'setsid -f true' (which returns after the fork,
# knowing nothing), in alternating batches; prints the median ratio.
# Target: <= 2.0.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
build_nohupx
ln -s nohupx "$BENCH_BIN/detach"
read -r r a b < <(ratio "${ROUNDS:-21}" "${RUNS:-100}" -- "$BENCH_BIN/detach" true -- setsid -f true)
printf 'detach: detach true %s us, setsid -f true %s us, ratio %s (target <= 2.0)\n' "$a" "$b" "$r"
