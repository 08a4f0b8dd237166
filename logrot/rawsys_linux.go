package logrot

import (
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The writer's hot path: read, write, splice and tee calls that do not
// block for long (the pipes are read only when poll or a count says there
// is data; regular files do not block on signals). They are made without
// telling the Go scheduler: a call it sees take more than 20 µs makes it
// hand the processor to another thread and take it back after, a futex
// round trip per call that cost the relay a third of its throughput. The
// one call that blocks for long, poll(2), goes through the scheduler as
// usual.

func rawErr(e syscall.Errno) error {
	if e == 0 {
		return nil
	}
	return e
}

func rawRead(fd int, p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	n, _, e := syscall.RawSyscall(unix.SYS_READ, uintptr(fd), uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)))
	return int(n), rawErr(e)
}

func rawWrite(fd int, p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	n, _, e := syscall.RawSyscall(unix.SYS_WRITE, uintptr(fd), uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)))
	return int(n), rawErr(e)
}

func rawSplice(in, out, n, flags int) (int64, error) {
	r, _, e := syscall.RawSyscall6(unix.SYS_SPLICE, uintptr(in), 0, uintptr(out), 0, uintptr(n), uintptr(flags))
	return int64(r), rawErr(e)
}

func rawTee(in, out, n, flags int) (int64, error) {
	r, _, e := syscall.RawSyscall6(unix.SYS_TEE, uintptr(in), uintptr(out), uintptr(n), uintptr(flags), 0, 0)
	return int64(r), rawErr(e)
}
