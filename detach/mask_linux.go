package detach

import (
	"runtime"

	"golang.org/x/sys/unix"
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
