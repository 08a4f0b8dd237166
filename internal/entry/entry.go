// Package entry reports what the Go runtime changes before main runs, and
// puts it back for a program about to be exec'd.
//
// Before main, the runtime reopens a closed fd 0, 1 or 2 on /dev/null,
// takes over an inherited SIG_IGN for every signal but HUP, INT and the
// job-control ones, and unblocks some signals. A program that only replaces
// itself with another (nohup, setsid) must pass all of that on unchanged.
//
// On linux/amd64 and linux/arm64 an assembly entry point, linked in with
//
//	go build -ldflags=-E=_rt0_nohupx_linux ./cmd/nohupx
//
// looks first, with raw system calls (fcntl F_GETFD on fds 0–2,
// rt_sigaction with no new action for signals 1–64, rt_sigprocmask with no
// new set), writes what it saw into this package's variables, and jumps to
// the runtime's own entry. Without that flag, and on every other system,
// nothing is recorded: Known is false and the functions below change
// nothing, so the binary behaves as any Go program does.
package entry

// Written only by the entry point, before the runtime starts; read-only
// afterwards.
var (
	known   uint32    // 1 once the entry point ran
	closed  uint32    // bit n: fd n (0–2) was closed
	ignored uint64    // bit n-1: signal n was SIG_IGN
	blocked uint64    // bit n-1: signal n was blocked
	scratch [8]uint64 // the old struct sigaction, for the entry point
)

// Known reports whether the entry point ran, so that the rest says what the
// process was given rather than what the runtime left.
func Known() bool { return known != 0 }

// Closed reports whether fd (0, 1 or 2) was closed when the process
// started; false when not Known.
func Closed(fd int) bool { return fd >= 0 && fd < 3 && closed&(1<<fd) != 0 }

// Ignored is the set of signals that were ignored when the process
// started, bit n-1 for signal n; 0 when not Known.
func Ignored() uint64 { return ignored }

// Blocked is the signal mask the process started with, bit n-1 for signal
// n; 0 when not Known.
func Blocked() uint64 { return blocked }

// LinkFlag is the linker flag that makes the entry point the program's
// entry, for the systems that have one (HasEntryPoint); the same name on
// every architecture, so that one build line serves them all.
const LinkFlag = "-E=_rt0_nohupx_linux"

// HasEntryPoint reports whether goos/goarch has the entry point: a build
// for any other target must not pass LinkFlag (the link would fail).
func HasEntryPoint(goos, goarch string) bool {
	return goos == "linux" && (goarch == "amd64" || goarch == "arm64")
}
