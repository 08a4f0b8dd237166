# Shared helpers for the bench scripts: build once, time batches of runs in
# alternation, and print the median ratio. Ratios, not absolute times: this
# machine is noisy, and both sides of a ratio see the same noise.

# entry_flag is the linker flag for the entry point that keeps what the Go
# runtime changes before main (internal/entry), on the targets that have it.
entry_flag() {
	case $(go env GOOS)/$(go env GOARCH) in
	linux/amd64 | linux/arm64) echo "-E=_rt0_nohupx_linux" ;;
	esac
}

# build_nohupx puts a freshly built binary in $BENCH_BIN/nohupx, built as
# goreleaser builds the release (static, stripped).
build_nohupx() {
	BENCH_BIN=$(mktemp -d)
	trap 'rm -rf "$BENCH_BIN"' EXIT
	(cd "$(dirname "${BASH_SOURCE[0]}")/.." && CGO_ENABLED=0 go build -trimpath -ldflags="-s -w $(entry_flag)" -o "$BENCH_BIN/nohupx" ./cmd/nohupx) || exit 1
}

# batch N CMD... runs CMD N times with stdio off the terminal and prints the
# elapsed microseconds.
batch() {
	local n=$1 i t0 t1
	shift
	t0=$EPOCHREALTIME
	for ((i = 0; i < n; i++)); do "$@" </dev/null >/dev/null 2>&1; done
	t1=$EPOCHREALTIME
	echo $(((${t1/./} - ${t0/./})))
}

# median reads numbers, one a line, and prints the median.
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

# ratio ROUNDS N -- A... -- B... times A and B in alternating batches of N
# runs and prints "median-ratio A-per-run-us B-per-run-us".
ratio() {
	local rounds=$1 n=$2 a=() b=() r ta tb
	shift 3
	while [ "$1" != -- ]; do a+=("$1"); shift; done
	shift
	b=("$@")
	batch "$n" "${a[@]}" >/dev/null # warm the page cache
	batch "$n" "${b[@]}" >/dev/null
	for ((r = 0; r < rounds; r++)); do
		ta=$(batch "$n" "${a[@]}")
		tb=$(batch "$n" "${b[@]}")
		echo "$ta $tb"
	done | awk -v n="$n" '{print $1/$2, $1/n, $2/n}' | sort -g |
		awk '{r[NR]=$1; a[NR]=$2; b[NR]=$3} END {m=int((NR+1)/2); printf "%.3f %.0f %.0f\n", r[m], a[m], b[m]}'
}
