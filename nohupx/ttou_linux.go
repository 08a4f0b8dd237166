package nohupx

import (
	"runtime"

	"golang.org/x/sys/unix"

	"github.com/nohupx/nohupx/internal/sigs"
)

// holdTTOU blocks SIGTTOU on this thread until the returned function
// restores the mask, which must happen on the same thread, just before the
// exec, so that the command gets the mask we were given.
//
// Why: nohupx writes its notices to the terminal, and a background job that
// writes to a terminal with `stty tostop` is stopped by SIGTTOU; a stopped
// job is exactly what bash sends SIGTERM to at logout. The kernel lets the
// write through when SIGTTOU is blocked or ignored (POSIX, "Terminal Access
// Control"), and blocking, unlike ignoring, leaves the disposition the
// command inherits untouched.
func holdTTOU() (release func()) {
	runtime.LockOSThread()
	var set, old unix.Sigset_t
	set.Val[0] |= sigs.Mask(unix.SIGTTOU) // the first word holds signals 1-64
	if err := unix.PthreadSigmask(unix.SIG_BLOCK, &set, &old); err != nil {
		return func() {}
	}
	return func() { _ = unix.PthreadSigmask(unix.SIG_SETMASK, &old, nil) }
}
