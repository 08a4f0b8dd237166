//go:build !linux

package testbin

// kernelIgnored has no kernel view to read here: signal.Ignored alone
// decides.
func kernelIgnored() uint64 { return 0 }
