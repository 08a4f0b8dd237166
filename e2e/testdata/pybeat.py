# pybeat.py BEATFILE: writer.sh in Python, an interpreter that keeps HUP and
# TERM at their defaults (it catches only INT), so that it dies of either.
import os
import sys
import time

n = 0
while True:
    n += 1
    with open(sys.argv[1], "w") as f:
        f.write("%d %d\n" % (os.getpid(), n))
    try:
        print("tick %d" % n, flush=True)
    except OSError:
        pass
    time.sleep(0.1)
