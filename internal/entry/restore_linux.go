package entry

import (
	"os/signal"
	"syscall"
	"unsafe"

	"github.com/nohupx/nohupx/internal/sigs"
)

// IgnoreAgain sets SIG_IGN again for every signal that was ignored when the
// process started, so that a program exec'd next, or started by
// syscall.ForkExec, inherits it. Call it last before the exec: a handler
// installed after it would undo it. signal.Ignore comes first, so the
// runtime stops handling the signal (a forked child would otherwise reset
// it to SIG_DFL); a raw rt_sigaction then covers the signals the runtime
// will not let go of (the faults, SIGPROF, 32 and 33), which hold only for
// an exec in place.
func IgnoreAgain() {
	if !Known() {
		return
	}
	var act [4]uint64 // struct sigaction: sa_handler SIG_IGN, the rest zero
	act[0] = 1
	for sig := 1; sig <= 64; sig++ {
		if ignored&sigs.Mask(syscall.Signal(sig)) == 0 {
			continue
		}
		signal.Ignore(syscall.Signal(sig))
		_, _, _ = syscall.RawSyscall6(syscall.SYS_RT_SIGACTION, uintptr(sig),
			uintptr(unsafe.Pointer(&act)), 0, 8, 0, 0)
	}
}

// BlockAgain gives the calling thread the signal mask the process started
// with. execve keeps the calling thread's mask, so with the goroutine
// locked to its thread (runtime.LockOSThread) and the exec next, the
// program gets the mask this process was given.
func BlockAgain() {
	if !Known() {
		return
	}
	mask := blocked
	_, _, _ = syscall.RawSyscall6(syscall.SYS_RT_SIGPROCMASK, 2, // SIG_SETMASK
		uintptr(unsafe.Pointer(&mask)), 0, 8, 0, 0)
}

// CloseAgain closes each of fds 0–2 that was closed when the process
// started (the runtime put /dev/null there), except those in keep, which
// the caller has since given a file of its own. Call it right before the
// exec: anything opened after it could land on those fds.
func CloseAgain(keep ...int) {
	for fd := 0; fd < 3; fd++ {
		if !Closed(fd) || contains(keep, fd) {
			continue
		}
		_ = syscall.Close(fd)
	}
}

func contains(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
