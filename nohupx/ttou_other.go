//go:build !linux

package nohupx

// holdTTOU: x/sys/unix has no per-thread signal mask call outside Linux,
// so on the BSDs and macOS a notice written under `stty tostop` can still
// stop nohupx, as it stops GNU nohup.
func holdTTOU() (release func()) { return func() {} }
