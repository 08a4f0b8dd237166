// Command checksum is the e2e job that proves nohupx -p leaves a process's
// registers and memory as they were.
//
// Synopsis:
//
//	checksum BEATFILE
//
// It computes the same checksum over and over: a loop whose values live in
// general-purpose and floating-point registers and in an array on its
// stack, and it compares every round with the first. After each round it
// writes "PID COUNT" to BEATFILE (like gobeat) and prints "OK n" to
// stdout, or "BAD n: got, want" when a round came out wrong. The loop runs
// on the main thread (the one nohupx -p stops) and makes no system call,
// so that is where an injection catches it; a register that was not put
// back turns into a BAD line or a crash.
package main

import (
	"fmt"
	"os"
	"runtime"

	"github.com/nohupx/nohupx/internal/testbin/checksum"
)

func init() { runtime.LockOSThread() } // main stays on the main thread

// steps is one round: about a second here.
const steps = 16_000_000

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: checksum BEATFILE")
		os.Exit(2)
	}
	path, pid := os.Args[1], os.Getpid()
	want := checksum.Round(steps)
	for n := 1; ; n++ {
		got := checksum.Round(steps)
		if got != want {
			fmt.Printf("BAD %d: %x, want %x\n", n, got, want)
		} else {
			fmt.Printf("OK %d\n", n)
		}
		os.WriteFile(path, fmt.Appendf(nil, "%d %d\n", pid, n), 0o644)
	}
}
