//go:build !linux || !(amd64 || arm64)

package inject

import "runtime"

// Apply needs ptrace and a syscall ABI this package knows: Linux on x86-64
// or arm64. Elsewhere it changes nothing and says so.
func Apply(pid int, req Request) (Result, error) {
	return Result{Pid: pid}, unsupported()
}

// NeedsChange cannot read a process here; Apply says why.
func NeedsChange(pid int, req Request) (bool, error) { return true, nil }

func unsupported() error {
	if runtime.GOOS != "linux" {
		return errorf(ErrUnsupported, "changing a running process needs Linux ptrace, and this is %s", runtime.GOOS)
	}
	return errorf(ErrUnsupported, "changing a running process is implemented for amd64 and arm64, and this is %s", runtime.GOARCH)
}
