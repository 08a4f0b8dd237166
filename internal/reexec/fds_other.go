//go:build !linux

package reexec

import (
	"os"
	"syscall"
)

// Pipe is a blocking, close-on-exec pipe for talking to a stage (see the
// Linux version). Without pipe2(2), ForkLock keeps a concurrent fork from
// inheriting the ends before they are marked.
func Pipe() (r, w *os.File, err error) {
	var fds [2]int
	syscall.ForkLock.RLock()
	err = syscall.Pipe(fds[:])
	if err == nil {
		syscall.CloseOnExec(fds[0])
		syscall.CloseOnExec(fds[1])
	}
	syscall.ForkLock.RUnlock()
	if err != nil {
		return nil, nil, err
	}
	return os.NewFile(uintptr(fds[0]), "|0"), os.NewFile(uintptr(fds[1]), "|1"), nil
}

// CloseOnExecFrom marks every descriptor from fd up close-on-exec.
func CloseOnExecFrom(fd int) {
	for _, n := range OpenFds() {
		if n >= fd {
			syscall.CloseOnExec(n)
		}
	}
}
