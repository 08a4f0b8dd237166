// Package exitcode holds the exit statuses shared by the applets and the
// rule that maps an exec failure to one.
//
// The numbers are those of GNU nohup (coreutils system.h): a launcher must
// let the caller tell "the launcher failed" from "the command could not be
// started" from "the command ran and failed".
package exitcode

import (
	"errors"
	"syscall"
)

const (
	// OK is success.
	OK = 0
	// Canceled is the launcher's own failure (EXIT_CANCELED).
	Canceled = 125
	// CannotInvoke means the command was found but could not be run.
	CannotInvoke = 126
	// NotFound means the command was not found (EXIT_ENOENT).
	NotFound = 127
	// PosixFailure replaces Canceled for nohup when POSIXLY_CORRECT is set:
	// POSIX requires 127 for nohup's own failures.
	PosixFailure = 127
)

// FromExec maps an execve failure to the status nohup, env and the shells
// use: ENOENT means nothing was found to run (127); any other failure means
// something was found but could not be run (126).
func FromExec(err error) int {
	if errors.Is(err, syscall.ENOENT) {
		return NotFound
	}
	return CannotInvoke
}

// FromWait is the status a shell reports as $? for a child that ended with
// ws: its exit status, or 128+N when signal N killed it.
func FromWait(ws syscall.WaitStatus) int {
	if ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return ws.ExitStatus()
}
