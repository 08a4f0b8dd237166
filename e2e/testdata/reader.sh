#!/bin/sh
# reader.sh BEATFILE: a heartbeat job that also reads stdin in a loop.
# Started in the background on a terminal, its first read gets SIGTTIN and
# the job stops. Read errors (EBADF from nohup's write-only /dev/null, EIO
# in an orphaned group, EOF) are ignored: it keeps beating.
n=0
while :; do
	n=$((n + 1))
	echo "$$ $n" >"$1"
	read -r line 2>/dev/null || :
	sleep 0.1 & wait $! # not plain sleep: see beat.sh
done
