#!/bin/bash
# login.sh BINDIR: what the user types in the logind tests' ssh session.
# Each job starts only after the one before it said it started, so the
# launchers' messages and the jobs' STARTED lines come out in order. The
# pid of each job is left in NAME.pid for the test to check after logout.
set -u
bin=$1
beat=$bin/beat
cd ~
started() { until [ -e "$1.started" ]; do sleep 0.05; done; }
echo "SESSION $XDG_SESSION_ID"

nohup "$beat" nohup >nohup.out 2>&1 &
echo $! >nohup.pid
started nohup
echo "STARTED nohup"
for mode in nohupx survive noscope linger; do
	case $mode in
	nohupx) opts=() ;;
	survive) opts=(--survive) ;;
	noscope) opts=(--no-scope) ;;
	linger) opts=(--linger) ;;
	esac
	"$bin/nohupx" "${opts[@]}" -o "$mode.out" "$beat" "$mode" 3>&1 &
	echo $! >"$mode.pid"
	started "$mode"
done
"$bin/detach" -p -o detach.out "$beat" detach >detach.pid
echo "STARTED detach"
# -p: a job started without nohup, its stdout on the terminal.
"$beat" p &
echo $! >p.pid
started p
"$bin/nohupx" -o p.out -p "$(cat p.pid)"
echo "STARTED p"
# The relays have written a line or two by now.
sleep 1.5
echo LOGOUT
exit
