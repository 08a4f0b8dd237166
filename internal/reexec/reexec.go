// Package reexec finds the running binary, for the hidden stages that
// re-execute it (Go cannot fork without exec; see internal/multicall for
// the table of stages).
package reexec

import "os"

// Exe is the path that re-executes this very binary: /proc/self/exe, which
// still works after a package upgrade replaced the file on disk, with
// os.Executable as the fallback where there is no procfs.
func Exe() string {
	if _, err := os.Stat("/proc/self/exe"); err == nil {
		return "/proc/self/exe"
	}
	if exe, err := os.Executable(); err == nil {
		return exe
	}
	return os.Args[0]
}
