package jobs

import (
	"time"

	"golang.org/x/sys/unix"
)

// waitGone returns when the process pid (started at ticks) has ended, or
// after timeout. A pidfd becomes readable when the process ends, parent or
// not: no polling while a long job runs.
func waitGone(pid int, ticks uint64, timeout time.Duration) {
	fd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		time.Sleep(timeout / 4)
		return
	}
	defer unix.Close(fd)
	if Look(pid, ticks, "") == Gone {
		return // the pid is another process's now
	}
	fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
	_, _ = unix.Poll(fds, int(timeout/time.Millisecond))
}
