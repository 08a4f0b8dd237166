#!/usr/bin/env bash
# bench/logrot.sh: what the rotating relay costs a job, against its peers.
#
# 1. Throughput. In one run, alternating between them round by round,
#    streams SIZE bytes of 100-byte lines, in writes of WRITE bytes, through
#      direct      gen > FILE                        (the limit)
#      cat         gen | cat > FILE                  (the limit behind a pipe)
#      relay       nohupx --output FILE gen, rotating at MAX, keeping KEEP
#      rotatelogs  gen | rotatelogs -n KEEP FILE MAX  (apache2-utils)
#      svlogd      gen | svlogd DIR (runit; only if METHODS names it)
#    and times the job's own run: until gen is done and, for a pipeline,
#    its reader too; for the relay, until nohupx's command returns (the
#    relay may still be writing the last pipeful, and retention runs after).
#    Prints the best and the median of each and the ratios.
# 2. Memory and wakeups. Starts JOBS jobs that each print a line and sleep,
#    and sums the private memory (Private_Clean + Private_Dirty) of all
#    their relay processes, and their context switches over 10 idle
#    seconds.
#
# The relay is started by the built nohupx binary, as a user starts it;
# bench/gen writes the stream.
#
# Environment: SIZE (1G), WRITE (8K), ROUNDS (3), MAX (100M), KEEP (5),
# JOBS (200), BENCH_DIR (/dev/shm: tmpfs, so that the page cache, not the
# disk, is the limit), METHODS ("direct cat relay rotatelogs").
#
# Targets (the output-safety issue): relay >= 0.90x direct, >= 0.95x cat,
# >= 1.0x rotatelogs; relay private memory <= 1.5 MiB per job; 0 wakeups
# while idle. The launch cost is in bench/launch.sh.
set -euo pipefail

SIZE=${SIZE:-1G} WRITE=${WRITE:-8K} ROUNDS=${ROUNDS:-3} MAX=${MAX:-100M} KEEP=${KEEP:-5} JOBS=${JOBS:-200}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${BENCH_DIR:-/dev/shm}/nohupx-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
read -r -a methods <<<"${METHODS:-direct cat relay rotatelogs}"

for tool in numfmt go bc; do
	command -v "$tool" >/dev/null || { echo "logrot.sh: $tool not found" >&2; exit 1; }
done
for m in rotatelogs svlogd; do
	if [[ " ${methods[*]} " == *" $m "* ]] && ! command -v "$m" >/dev/null; then
		echo "logrot.sh: $m not found (apt-get install apache2-utils runit)" >&2
		exit 1
	fi
done
bytes=$(numfmt --from=iec "$SIZE")
maxbytes=$(numfmt --from=iec "$MAX")

(cd "$root" && CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o "$work/gen" ./bench/gen &&
	CGO_ENABLED=0 go build -trimpath -ldflags="-s -w $(case $(go env GOOS)/$(go env GOARCH) in linux/amd64 | linux/arm64) echo -E=_rt0_nohupx_linux ;; esac)" -o "$work/nohupx" ./cmd/nohupx)
gen=("$work/gen" "$SIZE" "$WRITE")
start_relay() { local f=$1; shift; "$work/nohupx" -q --all-stdio --output "$f" --max-size "$MAX" --keep "$KEEP" "$@"; }
now() { date +%s.%N; }

# serving FILE lists the pids of the relay processes of FILE.
serving() { "$work/nohupx" --relays | awk -F'\t' -v f="$1" '$3 == f {print $1}'; }
# settle FILE waits until no relay process serves FILE.
settle() { while [[ -n $(serving "$1") ]]; do sleep 0.01; done; }

run_direct() { "${gen[@]}" >"$1/out"; }
run_cat() { "${gen[@]}" | cat >"$1/out"; }
run_relay() { start_relay "$1/out" "${gen[@]}"; }
run_rotatelogs() { "${gen[@]}" | rotatelogs -n "$KEEP" "$1/out" "$MAX"; }
run_svlogd() { printf 's%s\nn%s\n' "$maxbytes" "$KEEP" >"$1/config"; "${gen[@]}" | svlogd "$1"; }

declare -A best all
echo "logrot bench: $SIZE in $WRITE writes per run, $ROUNDS rounds alternating, in $work ($(stat -f -c %T "$work")), rotate at $MAX, keep $KEEP"
echo "machine: $(nproc) cores, $(uname -r)"
for ((r = 0; r < ROUNDS; r++)); do
	line="round $((r + 1)):"
	for ((i = 0; i < ${#methods[@]}; i++)); do
		m=${methods[(i + r) % ${#methods[@]}]} # a different order each round
		d="$work/$m" && rm -rf "$d" && mkdir "$d"
		t0=$(now)
		"run_$m" "$d"
		t=$(echo "$(now) - $t0" | bc -l)
		[[ $m == relay ]] && settle "$d/out"
		rm -rf "$d"
		line+=$(printf '  %s %.2fs' "$m" "$t")
		if [[ -z ${best[$m]:-} ]] || (($(echo "$t < ${best[$m]}" | bc -l))); then best[$m]=$t; fi
		all[$m]+="$t "
	done
	echo "$line"
done

declare -A med
for m in "${methods[@]}"; do
	med[$m]=$(tr ' ' '\n' <<<"${all[$m]}" | grep . | sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}')
done
mbs() { local -n tm=$2; echo "$bytes / ${tm[$1]} / 1000000" | bc -l; }
ratio() { local -n tm=$3; echo "${tm[$2]} / ${tm[$1]}" | bc -l; } # throughput of $1 / throughput of $2
echo "MB/s over $ROUNDS rounds:      best   median"
for m in "${methods[@]}"; do printf '  %-11s %15.0f %8.0f\n' "$m" "$(mbs "$m" best)" "$(mbs "$m" med)"; done
have() { [[ -n ${best[$1]:-} ]] && [[ -n ${best[$2]:-} ]]; }
show() { have "$1" "$2" && printf '  %-20s %6.2fx %7.2fx  %s\n' "$1 / $2" "$(ratio "$1" "$2" best)" "$(ratio "$1" "$2" med)" "${3:-}"; }
echo "ratios:                    best   median"
show relay direct "(target >= 0.90)" || true
show relay cat "(target >= 0.95)" || true
show relay rotatelogs "(target >= 1.0)" || true
show relay svlogd "(target >= 1.0)" || true
show cat direct || true

# Memory and wakeups of JOBS idle jobs.
d="$work/jobs" && mkdir "$d"
pids=()
for ((i = 0; i < JOBS; i++)); do
	# Not through start_relay: $! must be the job itself, not a subshell.
	"$work/nohupx" -q --all-stdio --output "$d/out$i" --max-size "$MAX" --keep "$KEEP" \
		sh -c 'echo started; exec sleep 600' &
	pids+=($!)
done
want=$((2 * JOBS))
for ((t = 0; t < 300; t++)); do
	[[ $("$work/nohupx" --relays | grep -c "	$d/") -ge $want ]] && break
	sleep 0.1
done
sleep 3 # let every writer write its line and go idle
relays=$("$work/nohupx" --relays | awk -F'\t' -v d="$d/" 'index($3, d) == 1 {print $1}')
private() { for p in $relays; do awk '/^Private_(Clean|Dirty):/ {s += $2} END {print s + 0}' "/proc/$p/smaps_rollup" 2>/dev/null; done | awk '{s += $1} END {print s + 0}'; }
switches() { for p in $relays; do cat /proc/"$p"/task/*/status 2>/dev/null; done | awk '/ctxt_switches/ {s += $2} END {print s + 0}'; }
n=$(wc -w <<<"$relays")
kib=$(private)
s0=$(switches)
sleep 10
s1=$(switches)
printf 'relays of %d idle jobs: %d processes, private memory %.2f MiB per job (target <= 1.5)\n' "$JOBS" "$n" "$(echo "$kib / 1024 / $JOBS" | bc -l)"
echo "context switches of all of them over 10 idle s: $((s1 - s0)) (target 0)"
kill "${pids[@]}" 2>/dev/null || true
wait 2>/dev/null || true
while "$work/nohupx" --relays | grep -q "	$d/"; do sleep 0.1; done
