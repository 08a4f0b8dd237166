#!/bin/sh
# beat.sh BEATFILE: the plain heartbeat job.
# Every 100 ms it writes "PID COUNT" to BEATFILE (a file, not stdout, so a
# dead terminal cannot stop it). Default signal dispositions: whatever the
# launcher set is all the protection it has.
#
# `sleep & wait`, not plain `sleep`: dash runs a foreground command with
# vfork, and a ^Z that lands between vfork and exec stops the child while
# the parent waits in uninterruptible sleep (state D), so the job never
# reports stopped and bash never gets its prompt back. A background child
# is made with fork, and `wait` can be stopped.
n=0
while :; do
	n=$((n + 1))
	echo "$$ $n" >"$1"
	sleep 0.1 & wait $!
done
