package sigs

import (
	"syscall"
	"unsafe"
)

// Action is a struct sigaction as the kernel's rt_sigaction(2) reads and
// writes it, opaque but for the handler, which comes first on every Linux
// architecture but MIPS (where the suite does not build: logrot's use of
// struct stat fails to compile there). Four words hold any of them.
type Action [4]uint64

// Ignore is the action SIG_IGN.
var Ignore = Action{1}

// Swap makes act sig's action and returns the one it replaces, with a raw
// rt_sigaction(2). It goes behind the Go runtime's back: the runtime goes
// on believing what it installed, so the caller must put old back (or exec
// next).
func Swap(sig syscall.Signal, act Action) (old Action, err error) {
	_, _, e := syscall.RawSyscall6(syscall.SYS_RT_SIGACTION, uintptr(sig),
		uintptr(unsafe.Pointer(&act)), uintptr(unsafe.Pointer(&old)), 8, 0, 0)
	if e != 0 {
		return old, e
	}
	return old, nil
}
