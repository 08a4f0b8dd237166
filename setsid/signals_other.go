//go:build !linux

package setsid

// defaultSignals does nothing here: without a raw sigaction the
// waiting parent keeps the Go runtime's handlers, so SIGQUIT and SIGABRT
// make it print a goroutine dump and exit 2 instead of dying by the signal.
func defaultSignals() {}
