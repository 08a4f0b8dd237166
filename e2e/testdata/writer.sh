#!/bin/sh
# writer.sh BEATFILE: a heartbeat job that also writes to stdout every beat.
# In the background after `stty tostop`, its first write to the terminal
# gets SIGTTOU and the job stops. Write errors are ignored: it keeps beating.
n=0
while :; do
	n=$((n + 1))
	echo "$$ $n" >"$1"
	# In a subshell, so that the shell's own stderr is never /dev/null,
	# not even for the moment of the echo: nohupx -g looks at it.
	(echo "tick $n") 2>/dev/null || :
	sleep 0.1 & wait $! # not plain sleep: see beat.sh
done
