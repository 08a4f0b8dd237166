// Package tty answers isatty(3) for a file descriptor.
package tty

import "golang.org/x/sys/unix"

// IsTerminal reports whether fd refers to a terminal, as isatty(3) does: by
// asking the driver for the terminal attributes.
func IsTerminal(fd int) bool {
	_, err := unix.IoctlGetTermios(fd, getTermios)
	return err == nil
}

// Width is the number of columns of the terminal on fd, or def when fd is
// not a terminal (or says 0).
func Width(fd, def int) int {
	ws, err := unix.IoctlGetWinsize(fd, unix.TIOCGWINSZ)
	if err != nil || ws.Col == 0 {
		return def
	}
	return int(ws.Col)
}
