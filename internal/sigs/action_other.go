//go:build !linux

package sigs

import (
	"os/signal"
	"syscall"
)

// IgnoreForExec sets SIG_IGN for sig so that the program exec'd next
// inherits it, as far as signal.Ignore does outside Linux: x/sys/unix has
// no sigaction here to cover what the Go runtime keeps (SIGPROF among
// them).
func IgnoreForExec(sig syscall.Signal) error {
	signal.Ignore(sig)
	return nil
}
