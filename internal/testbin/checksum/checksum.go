// Package checksum is the arithmetic of the checksum jobs that prove an
// injection leaves a process's registers and memory as they were: the e2e
// job (e2e/testdata/checksum) and the inject tests' helper.
package checksum

// Round computes the same checksum every time for the same n: a loop of n
// steps whose values live in general-purpose and floating-point registers
// and in an array on the stack, and no system call. A register or a stack
// word that an injection did not put back makes one round differ.
//
//go:noinline
func Round(n uint64) [6]uint64 {
	a, b, c, d := uint64(1), uint64(2), uint64(3), uint64(4)
	x, y := 1.0, 0.5
	var stack [32]uint64
	for i := uint64(0); i < n; i++ {
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
