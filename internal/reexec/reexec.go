// Package reexec finds the running binary, for the hidden stages that
// re-execute it (Go cannot fork without exec; see internal/multicall for
// the table of stages).
package reexec

import (
	"os"
	"syscall"
)

// Exe is the path that re-executes this very binary: /proc/self/exe, which
// still works after a package upgrade replaced the file on disk, with
// os.Executable as the fallback where there is no procfs.
func Exe() string {
	if _, err := os.Stat("/proc/self/exe"); err == nil {
		return "/proc/self/exe"
	}
	if exe, err := os.Executable(); err == nil {
		return exe
	}
	return os.Args[0]
}

// DevNull opens /dev/null for reading and writing, close-on-exec. Unlike
// os.OpenFile's, the file is not registered with the runtime's poller (a
// character device would be), which would start an epoll instance and a
// few thread hand-offs in a process that is only passing it on.
func DevNull() (*os.File, error) {
	fd, err := syscall.Open(os.DevNull, syscall.O_RDWR|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: os.DevNull, Err: err}
	}
	return os.NewFile(uintptr(fd), os.DevNull), nil
}
