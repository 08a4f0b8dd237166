//go:build !linux

package setsid

import "os"

// selfPaths is where to re-execute this binary from.
func selfPaths() []string {
	exe, err := os.Executable()
	if err != nil {
		return nil
	}
	return []string{exe}
}

// defaultSignals does nothing here: without a raw sigaction the
// waiting parent keeps the Go runtime's handlers, so SIGQUIT and SIGABRT
// make it print a goroutine dump and exit 2 instead of dying by the signal.
func defaultSignals() {}
