package reexec

import (
	"os"

	"golang.org/x/sys/unix"
)

// Pipe is a blocking, close-on-exec pipe for talking to a stage. os.Pipe's
// ends are non-blocking and go through the runtime's poller, which costs a
// few thread hand-offs per read; these block in read(2), and can be handed
// to a command as stdout without it ever seeing EAGAIN.
func Pipe() (r, w *os.File, err error) {
	var fds [2]int
	if err := unix.Pipe2(fds[:], unix.O_CLOEXEC); err != nil {
		return nil, nil, err
	}
	return os.NewFile(uintptr(fds[0]), "|0"), os.NewFile(uintptr(fds[1]), "|1"), nil
}

// CloseOnExecFrom marks every descriptor from fd up close-on-exec, so that
// what a launcher inherited without close-on-exec (a shell's 9>file, an ssh
// channel) does not live on in what it starts.
func CloseOnExecFrom(fd int) {
	if unix.CloseRange(uint(fd), ^uint(0), unix.CLOSE_RANGE_CLOEXEC) == nil {
		return
	}
	// Before Linux 5.11.
	for _, n := range OpenFds() {
		if n >= fd {
			unix.CloseOnExec(n)
		}
	}
}
