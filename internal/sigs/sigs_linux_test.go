package sigs

import (
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
