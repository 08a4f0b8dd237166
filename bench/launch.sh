#!/usr/bin/env bash
# Launch cost against GNU nohup, in alternating batches; prints median ratios.
#   nohupx true / execonly true                       target <= 1.15
#     (execonly, in bench/execonly, is a minimal static Go program that
#     only execs: the ratio is what nohupx adds to any Go launcher)
#   nohupx true / nohup true                          target <= 1.10
#   nohupx --all-stdio --output f true / nohup true   target <= 3.00
#     (the second starts the rotating relay; --all-stdio makes nohupx
#     redirect even though the bench's stdout is not a terminal)
#   nohupx true / nohupx --no-record true            target <= 1.05
#     (what writing the job record costs a launch)
# and, as no target but to tell where the first ratio comes from:
#   floor true / execonly true
#     (floor is execonly with every package of cmd/nohupx linked in, so it
#     pays their initialisation and that of the libraries under them,
#     D-Bus, gzip, inotify and JSON included, and only execs)
#   the time to create a file, and to open one that exists, where the
#     records go: a record is one new file per launch, and what creating
#     one costs differs widely (about 350 us on the ext4 of the virtual
#     machines CI runs on, 3 us on tmpfs); the first and last ratios
#     include it
set -euo pipefail
. "$(dirname "$0")/lib.sh"
build_nohupx
out="$BENCH_BIN/launch.out"
# The records of thousands of launches go to a directory of the bench's.
export XDG_STATE_HOME="$BENCH_BIN/state"
rm -rf "$XDG_STATE_HOME"
mkdir -p "$XDG_STATE_HOME"
t0=$EPOCHREALTIME
for ((i = 0; i < 200; i++)); do : >"$XDG_STATE_HOME/f$i"; done
t1=$EPOCHREALTIME
for ((i = 0; i < 200; i++)); do : >>"$XDG_STATE_HOME/f$i"; done
t2=$EPOCHREALTIME
rm -f "$XDG_STATE_HOME"/f*
printf 'files: create %s us, open existing %s us (where the records go)\n' \
	$(((${t1/./} - ${t0/./}) / 200)) $(((${t2/./} - ${t1/./}) / 200))
(cd "$(dirname "$0")/.." && CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o "$BENCH_BIN/execonly" ./bench/execonly)
(cd "$(dirname "$0")/.." && CGO_ENABLED=0 go build -tags floor -trimpath -ldflags="-s -w" -o "$BENCH_BIN/floor" ./bench/execonly)
read -r r a b < <(ratio "${ROUNDS:-21}" "${RUNS:-200}" -- "$BENCH_BIN/nohupx" true -- "$BENCH_BIN/execonly" true)
printf 'launch: nohupx true %s us, execonly true %s us, ratio %s (target <= 1.15)\n' "$a" "$b" "$r"
read -r r a b < <(ratio "${ROUNDS:-21}" "${RUNS:-200}" -- "$BENCH_BIN/floor" true -- "$BENCH_BIN/execonly" true)
printf 'floor: floor true %s us, execonly true %s us, ratio %s (no target: the linked packages)\n' "$a" "$b" "$r"
read -r r a b < <(ratio "${ROUNDS:-21}" "${RUNS:-200}" -- "$BENCH_BIN/nohupx" true -- nohup true)
printf 'launch: nohupx true %s us, nohup true %s us, ratio %s (target <= 1.10)\n' "$a" "$b" "$r"
read -r r a b < <(ratio "${ROUNDS:-21}" "${RUNS:-100}" -- "$BENCH_BIN/nohupx" -q --all-stdio --output "$out" true -- nohup true)
printf 'launch with relay: nohupx --output f true %s us, nohup true %s us, ratio %s (target <= 3.00)\n' "$a" "$b" "$r"
read -r r a b < <(ratio "${ROUNDS:-21}" "${RUNS:-200}" -- "$BENCH_BIN/nohupx" true -- "$BENCH_BIN/nohupx" --no-record true)
printf 'record: nohupx true %s us, nohupx --no-record true %s us, ratio %s (target <= 1.05)\n' "$a" "$b" "$r"
rm -rf "$XDG_STATE_HOME"
