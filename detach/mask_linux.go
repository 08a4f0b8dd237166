package detach

import (
	"runtime"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/nohupx/nohupx/internal/sigs"
)

// clearSignalMask empties this thread's signal mask until release. The Go
// runtime saves the calling thread's mask before fork and restores it in
// the child, so a fork from here gives the command an empty mask: a daemon
// must not inherit a signal its launcher happened to block.
func clearSignalMask() (release func()) {
	runtime.LockOSThread()
	var empty, old unix.Sigset_t
	if err := unix.PthreadSigmask(unix.SIG_SETMASK, &empty, &old); err != nil {
		runtime.UnlockOSThread()
		return func() {}
	}
	return func() {
		_ = unix.PthreadSigmask(unix.SIG_SETMASK, &old, nil)
		runtime.UnlockOSThread()
	}
}

// restoreDefault sets SIG_DFL for sig with a raw rt_sigaction(2), for the
// real-time signals the runtime neither handles nor lets os/signal catch
// (32 and 34: glibc's, and there is no C code here). Best effort: a
// failure leaves the command with the ignore it would have had anyway.
func restoreDefault(sig syscall.Signal) { _, _ = sigs.Swap(sig, sigs.Action{}) }
