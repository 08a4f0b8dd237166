package testbin

import "github.com/nohupx/nohupx/internal/procfs"

// kernelIgnored is the kernel's mask of ignored signals (bit n-1: signal
// n), for those the Go runtime leaves alone until they are asked for
// (TSTP, TTIN, TTOU, CONT): signal.Ignored does not report them.
func kernelIgnored() uint64 {
	st, err := procfs.ReadStatusFile("/proc/self/status")
	if err != nil {
		return 0
	}
	return st.SigIgn
}
