// Package sigs parses the signal lists the applets accept ("TERM",
// "SIGTERM", "15", comma-separated) and decides which signals may be
// ignored at all.
package sigs

import (
	"fmt"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// Set is a set of signals in the order they were first named.
type Set []syscall.Signal

// Has reports whether s contains sig.
func (s Set) Has(sig syscall.Signal) bool {
	for _, x := range s {
		if x == sig {
			return true
		}
	}
	return false
}

// Add adds the signals not yet in s.
func (s Set) Add(sigs ...syscall.Signal) Set {
	for _, sig := range sigs {
		if !s.Has(sig) {
			s = append(s, sig)
		}
	}
	return s
}

// String is the comma-separated list of names without the SIG prefix.
func (s Set) String() string {
	var n []string
	for _, sig := range s {
		n = append(n, Name(sig))
	}
	return strings.Join(n, ",")
}

// Name is the signal's name without the SIG prefix, or its number.
func Name(sig syscall.Signal) string {
	if n := unix.SignalName(sig); n != "" {
		return strings.TrimPrefix(n, "SIG")
	}
	return strconv.Itoa(int(sig))
}

// Mask is sig's bit in a 64-bit kernel signal mask, the form of the
// SigIgn, SigCgt, SigBlk and SigPnd lines of /proc/PID/status and of
// rt_sigprocmask(2)'s set on 64-bit Linux: signal n is bit n-1, since there
// is no signal 0. A number outside 1..64 has no bit and gives 0.
func Mask(sig syscall.Signal) uint64 {
	if sig < 1 || sig > 64 {
		return 0
	}
	return 1 << (uint(sig) - 1)
}

// maxSignal is one more than the highest signal number Linux and the BSDs
// know (_NSIG is 65 on Linux).
const maxSignal = 65

// Parse parses one signal: a name with or without SIG, in any case, or a
// number.
func Parse(word string) (syscall.Signal, error) {
	w := strings.TrimSpace(word)
	if w == "" {
		return 0, fmt.Errorf("empty signal name")
	}
	if n, err := strconv.Atoi(w); err == nil {
		if n <= 0 || n >= maxSignal {
			return 0, fmt.Errorf("invalid signal number %q", word)
		}
		return syscall.Signal(n), nil
	}
	up := strings.ToUpper(w)
	if !strings.HasPrefix(up, "SIG") {
		up = "SIG" + up
	}
	if sig := unix.SignalNum(up); sig != 0 {
		return sig, nil
	}
	return 0, fmt.Errorf("unknown signal %q", word)
}

// ParseList parses a comma-separated list of signals.
func ParseList(list string) (Set, error) {
	var s Set
	for _, w := range strings.Split(list, ",") {
		sig, err := Parse(w)
		if err != nil {
			return nil, err
		}
		s = s.Add(sig)
	}
	return s, nil
}

// CheckIgnorable says why sig cannot usefully be ignored, or returns nil.
// Refusing is better than accepting a request that silently does nothing.
func CheckIgnorable(sig syscall.Signal) error {
	switch sig {
	case syscall.SIGKILL, syscall.SIGSTOP:
		return fmt.Errorf("SIG%s cannot be caught or ignored", Name(sig))
	case syscall.SIGSEGV, syscall.SIGBUS, syscall.SIGFPE, syscall.SIGILL, syscall.SIGTRAP, syscall.SIGSYS:
		// The kernel resets a fault signal to SIG_DFL when it delivers a
		// fault the program cannot handle, so an ignore protects nothing.
		return fmt.Errorf("SIG%s is a fault signal; ignoring it protects nothing (the kernel still kills on a fault)", Name(sig))
	case syscall.SIGCHLD:
		// SIG_IGN on SIGCHLD makes the kernel reap the command's children,
		// and its wait() calls then fail with ECHILD.
		return fmt.Errorf("ignoring SIGCHLD would break the command's wait() for its children")
	}
	if isRuntimeReserved(sig) {
		return fmt.Errorf("signal %d is reserved by the C library's thread implementation", sig)
	}
	return nil
}
