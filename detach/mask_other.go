//go:build !linux

package detach

import "syscall"

// clearSignalMask: x/sys/unix has no per-thread mask call outside Linux,
// so there the command inherits the stage's mask.
func clearSignalMask() (release func()) { return func() {} }

// restoreDefault does nothing outside Linux, where there are no signals 32
// and 34 for it to reset.
func restoreDefault(sig syscall.Signal) {}
