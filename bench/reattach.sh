#!/usr/bin/env bash
# reattach-sock --watch: how long a tmux server stays unreachable after its
# socket, or its whole directory, is deleted. A private TMUX_TMPDIR keeps
# the machine's own servers out of it. Each round deletes, then connects
# in a tight loop until the server answers again; prints p50, p99 and max
# over ROUNDS (100) deletions of each kind. Target: p99 <= 50 ms.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
command -v tmux >/dev/null || { echo "bench/reattach.sh: tmux is not installed" >&2; exit 1; }
command -v python3 >/dev/null || { echo "bench/reattach.sh: python3 is not installed" >&2; exit 1; }
build_nohupx
ln -s nohupx "$BENCH_BIN/reattach-sock"

export TMUX_TMPDIR
TMUX_TMPDIR=$(mktemp -d)
server= watcher=
cleanup() {
	[ -n "$watcher" ] && kill "$watcher" 2>/dev/null
	[ -n "$server" ] && kill -KILL "$server" 2>/dev/null
	rm -rf "$TMUX_TMPDIR" "$BENCH_BIN"
}
trap cleanup EXIT

tmux -L bench new-session -d 'sleep 3600'
server=$(tmux -L bench display-message -p '#{pid}')
sock="$TMUX_TMPDIR/tmux-$(id -u)/bench"
log="$TMUX_TMPDIR/watch.log"
"$BENCH_BIN/reattach-sock" --watch --under "$TMUX_TMPDIR" >"$log" 2>&1 &
watcher=$!
for _ in $(seq 100); do grep -q '^.* watching ' "$log" && break; sleep 0.05; done

python3 - "$sock" "${ROUNDS:-100}" <<'PY'
import os, shutil, socket, sys, time

sock, rounds = sys.argv[1], int(sys.argv[2])

def answers():
    s = socket.socket(socket.AF_UNIX)
    try:
        s.connect(sock)
        return True
    except OSError:
        return False
    finally:
        s.close()

def measure(delete):
    out = []
    for _ in range(rounds):
        time.sleep(0.02)  # let the previous repair settle, as real deletions are not back to back
        t0 = time.monotonic()
        delete()
        while not answers():
            if time.monotonic() - t0 > 5:
                sys.exit("the server did not answer within 5 s")
            time.sleep(0.0002)
        out.append((time.monotonic() - t0) * 1000)
    out.sort()
    return out[len(out) // 2], out[-(-len(out) * 99 // 100) - 1], out[-1]  # nearest-rank p99

for name, delete in (("socket deleted", lambda: os.unlink(sock)),
                     ("directory deleted", lambda: shutil.rmtree(os.path.dirname(sock), ignore_errors=True))):
    p50, p99, mx = measure(delete)
    verdict = "ok" if p99 <= 50 else "OVER TARGET"
    print(f"reattach-sock --watch: {name} -> answering again: p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {mx:.1f} ms over {rounds} (target p99 <= 50 ms: {verdict})")
PY
tmux -L bench ls >/dev/null || { echo "bench/reattach.sh: the tmux server is unreachable at the end" >&2; exit 1; }
