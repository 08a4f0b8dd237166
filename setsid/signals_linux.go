package setsid

import (
	"os"
	"syscall"
	"unsafe"

	"github.com/nohupx/nohupx/internal/entry"
	"github.com/nohupx/nohupx/internal/sigs"
)

// selfPaths are where to re-execute this binary from: /proc/self/exe
// still works after a package upgrade replaced the file; os.Executable is
// the fallback when /proc is not mounted.
func selfPaths() []string {
	paths := []string{"/proc/self/exe"}
	if exe, err := os.Executable(); err == nil {
		paths = append(paths, exe)
	}
	return paths
}

// defaultSignals gives the waiting parent the dispositions util-linux's
// has for the signals a user sends by hand and that the Go runtime would
// turn into a goroutine dump and exit status 2: with SIG_DFL, ^\ (SIGQUIT)
// and SIGABRT kill setsid -w with that signal, as they kill the C program.
// The runtime's handlers are replaced behind its back with a raw
// rt_sigaction; nothing in the wait that follows needs them.
func defaultSignals() {
	// struct sigaction all zero: sa_handler SIG_DFL, no flags, empty mask.
	// 32 bytes cover every Linux layout.
	var act [4]uint64
	for _, sig := range []syscall.Signal{syscall.SIGQUIT, syscall.SIGABRT} {
		if entry.Ignored()&sigs.Mask(sig) != 0 {
			continue // inherited SIG_IGN, kept as util-linux's parent keeps it
		}
		// sigsetsize is 8 except on mips (16).
		for _, size := range []uintptr{8, 16} {
			_, _, e := syscall.RawSyscall6(syscall.SYS_RT_SIGACTION, uintptr(sig),
				uintptr(unsafe.Pointer(&act)), 0, size, 0, 0)
			if e != syscall.EINVAL {
				break
			}
		}
	}
}
