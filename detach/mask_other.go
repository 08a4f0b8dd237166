//go:build !linux

package detach

// clearSignalMask: x/sys/unix has no per-thread mask call outside Linux,
// so there the command inherits the stage's mask.
func clearSignalMask() (release func()) { return func() {} }
