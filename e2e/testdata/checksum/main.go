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
)

func init() { runtime.LockOSThread() } // main stays on the main thread

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: checksum BEATFILE")
		os.Exit(2)
	}
	path, pid := os.Args[1], os.Getpid()
	want := round()
	for n := 1; ; n++ {
		got := round()
		if got != want {
			fmt.Printf("BAD %d: %x, want %x\n", n, got, want)
		} else {
			fmt.Printf("OK %d\n", n)
		}
		os.WriteFile(path, fmt.Appendf(nil, "%d %d\n", pid, n), 0o644)
	}
}

//go:noinline
func round() [6]uint64 {
	a, b, c, d := uint64(1), uint64(2), uint64(3), uint64(4)
	x, y := 1.0, 0.5
	var stack [32]uint64
	for i := uint64(0); i < 16_000_000; i++ {
		a += i ^ b
		b = b*6364136223846793005 + 1442695040888963407
		c ^= a >> 7
		d += c + i
		x = x*1.0000001 + y
		y *= 0.9999999
		stack[i&31] += a ^ d
	}
	var s uint64
	for _, v := range stack {
		s = s*31 + v
	}
	return [6]uint64{a, b, c, d, uint64(x * 1e6), s}
}
