// Package tty answers isatty(3) for a file descriptor.
package tty

import "golang.org/x/sys/unix"

// IsTerminal reports whether fd refers to a terminal, as isatty(3) does: by
// asking the driver for the terminal attributes.
func IsTerminal(fd int) bool {
	_, err := unix.IoctlGetTermios(fd, getTermios)
	return err == nil
}
