//go:build !linux

package nohupx

// withoutTTOU: x/sys/unix has no sigaction outside Linux, so on the BSDs
// and macOS a notice written under `stty tostop` can still stop nohupx, as
// it stops GNU nohup.
func withoutTTOU(write func() error) error { return write() }
