package sigs

import "syscall"

// isRuntimeReserved reports the two real-time signals glibc's NPTL keeps
// for itself (SIGCANCEL and SIGSETXID); the Go runtime will not ignore them.
func isRuntimeReserved(sig syscall.Signal) bool { return sig == 32 || sig == 33 }
