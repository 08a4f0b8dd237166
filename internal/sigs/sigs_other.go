//go:build !linux

package sigs

import "syscall"

// isRuntimeReserved: outside Linux no signal numbers are kept by libc.
func isRuntimeReserved(sig syscall.Signal) bool { return false }
