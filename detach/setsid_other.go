//go:build !linux

package detach

import "os"

// setsidSelfPaths is where to re-execute this binary from.
func setsidSelfPaths() []string {
	exe, err := os.Executable()
	if err != nil {
		return nil
	}
	return []string{exe}
}

// setsidDefaultSignals does nothing here: without a raw sigaction the
// waiting parent keeps the Go runtime's handlers, so SIGQUIT and SIGABRT
// make it print a goroutine dump and exit 2 instead of dying by the signal.
func setsidDefaultSignals() {}
