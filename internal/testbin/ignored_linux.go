package testbin

import (
	"bufio"
	"os"
	"strconv"
	"strings"
)

// kernelIgnored is the kernel's mask of ignored signals (bit n-1: signal
// n), for those the Go runtime leaves alone until they are asked for
// (TSTP, TTIN, TTOU, CONT): signal.Ignored does not report them.
func kernelIgnored() uint64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "SigIgn:"); ok {
			mask, _ := strconv.ParseUint(strings.TrimSpace(v), 16, 64)
			return mask
		}
	}
	return 0
}
