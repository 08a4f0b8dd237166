//go:build amd64 || arm64

package entry

import (
	"runtime"
	"slices"
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
	for sig := syscall.Signal(1); sig <= 64; sig++ {
		if ignored&sigs.Mask(sig) == 0 {
			continue
		}
		_ = sigs.IgnoreForExec(sig)
	}
}

// BlockAgain makes the signal mask the process started with the one that
// an exec or a fork from the calling goroutine passes on: execve keeps the
// calling thread's mask, and Go's fork gives the child the forking
// thread's. The runtime gives every thread the starting mask less the
// signals it insists on receiving (the faults, SIGURG, and HUP, INT, QUIT
// and TERM among others), so unless one of those was blocked at the
// start, every thread has the mask already and nothing changes.
// Otherwise the goroutine is locked to its thread for good (an exec or
// fork is next) and that thread gets the mask. Locking costs the process
// a new thread, hence only then.
func BlockAgain() {
	if !Known() {
		return
	}
	var now uint64
	sigprocmask(0, nil, &now) // SIG_BLOCK with no set: read the mask
	if now == blocked {
		return
	}
	runtime.LockOSThread()
	mask := blocked
	sigprocmask(2, &mask, nil) // SIG_SETMASK
}

func sigprocmask(how int, set, old *uint64) {
	_, _, _ = syscall.RawSyscall6(syscall.SYS_RT_SIGPROCMASK, uintptr(how),
		uintptr(unsafe.Pointer(set)), uintptr(unsafe.Pointer(old)), 8, 0, 0)
}

// CloseAgain closes each of fds 0–2 that was closed when the process
// started (the runtime put /dev/null there), except those in keep, which
// the caller has since given a file of its own. Call it right before the
// exec: anything opened after it could land on those fds.
func CloseAgain(keep ...int) {
	for fd := 0; fd < 3; fd++ {
		if !Closed(fd) || slices.Contains(keep, fd) {
			continue
		}
		_ = syscall.Close(fd)
	}
}
