package sigs

import (
	"os/signal"
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

// IgnoreForExec sets SIG_IGN for sig so that the program this process
// execs next inherits it (execve keeps an ignored signal ignored). Call it
// last before the exec: a handler installed after it would undo it.
//
// signal.Ignore comes first, so that the Go runtime stops handling sig
// where it agrees to. It silently skips SIGPROF and the signals it keeps a
// handler for (SIGSTKFLT, 32 to 34, the faults); a raw rt_sigaction then
// sets SIG_IGN for those too, behind the runtime's back. That is safe for
// the few calls left before the exec (or the exit when the exec fails):
// SIGPROF serves only a profiler, which is not running; Linux never raises
// SIGSTKFLT; 32 to 34 serve C libraries, and there is no C code. An ignored
// SIGURG (which signal.Ignore does set) only delays goroutine preemption to
// the next function call. A forked child would get the runtime's handlers
// back as SIG_DFL for the signals it believes it handles, so this holds for
// an exec in place only.
func IgnoreForExec(sig syscall.Signal) error {
	signal.Ignore(sig)
	_, err := Swap(sig, Ignore)
	return err
}
