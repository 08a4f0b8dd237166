package logrot

import "golang.org/x/sys/unix"

// sysPoll is poll(2), which unix.Poll uses on amd64.
const sysPoll = unix.SYS_POLL
