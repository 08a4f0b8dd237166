// Package reexec is how the suite runs a step in a fresh process: Go cannot
// fork without exec, so such a step re-executes this very binary with a
// hidden stage name as argv[0]. Stages register themselves (Register), the
// binary's main runs the one argv[0] names (Lookup) before it looks for an
// applet, and callers and stages speak one codec (codec.go). It also holds
// the pieces every such caller needs: the path of the binary, blocking
// pipes, /dev/null, closing inherited descriptors.
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
