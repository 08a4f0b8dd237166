package sigs

import (
	"os"
	"os/signal"
	"syscall"
	"testing"

	"github.com/nohupx/nohupx/internal/procfs"
)

// TestMaskMatchesKernel checks Mask against the kernel's own rendering of
// a mask: a signal this process ignores has its bit in SigIgn.
func TestMaskMatchesKernel(t *testing.T) {
	signal.Ignore(syscall.SIGUSR2)
	defer signal.Reset(syscall.SIGUSR2)
	st, err := procfs.ReadStatus(syscall.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if st.SigIgn&Mask(syscall.SIGUSR2) == 0 || st.SigIgn&Mask(syscall.SIGUSR1) != 0 {
		t.Errorf("SigIgn = %#x after ignoring SIGUSR2 only; want bit %#x set and %#x clear", st.SigIgn, Mask(syscall.SIGUSR2), Mask(syscall.SIGUSR1))
	}
}

// TestSwap: Swap ignores a signal as the kernel sees it, and the action it
// returns puts the runtime's handler back.
func TestSwap(t *testing.T) {
	ignored := func() bool {
		t.Helper()
		st, err := procfs.ReadStatus(syscall.Getpid())
		if err != nil {
			t.Fatal(err)
		}
		return st.SigIgn&Mask(syscall.SIGWINCH) != 0
	}
	signal.Notify(make(chan os.Signal, 1), syscall.SIGWINCH) // a Go handler to replace
	defer signal.Reset(syscall.SIGWINCH)
	old, err := Swap(syscall.SIGWINCH, Ignore)
	if err != nil {
		t.Fatal(err)
	}
	if !ignored() || old == Ignore || old[0] == 0 {
		t.Fatalf("after Swap: ignored %v, old action %#x; want ignored and the Go handler returned", ignored(), old)
	}
	if back, err := Swap(syscall.SIGWINCH, old); err != nil || back != Ignore {
		t.Fatalf("Swap back: %v, replaced %#x; want SIG_IGN replaced", err, back)
	}
	if ignored() {
		t.Error("still ignored after the old action went back")
	}
	if now, err := Swap(syscall.SIGWINCH, old); err != nil || now != old {
		t.Errorf("action after Swap back %#x, %v; want the old one %#x exactly", now, err, old)
	}
	if _, err := Swap(0, Ignore); err == nil {
		t.Error("Swap of signal 0 succeeded")
	}
}

// TestIgnoreForExec: the signals signal.Ignore skips without a word
// (SIGPROF, and SIGSTKFLT and 34, for which the runtime keeps its handler)
// are ignored as the kernel sees it, which is what an exec passes on.
func TestIgnoreForExec(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGPROF, syscall.SIGSTKFLT, 34} {
		old, err := Swap(sig, Ignore) // to read the action now, put back below
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Swap(sig, old); err != nil {
			t.Fatal(err)
		}
		err = IgnoreForExec(sig)
		st, serr := procfs.ReadStatus(syscall.Getpid())
		if serr != nil {
			t.Fatal(serr)
		}
		if err != nil || st.SigIgn&Mask(sig) == 0 {
			t.Errorf("IgnoreForExec(%d) = %v, SigIgn %#x; want no error and bit %#x set", sig, err, st.SigIgn, Mask(sig))
		}
		if _, err := Swap(sig, old); err != nil {
			t.Fatal(err)
		}
	}
}
