//go:build linux && amd64

package inject

import (
	"fmt"
	"unsafe"

	"golang.org/x/sys/unix"
)

// regs is the general-purpose register file of one thread as ptrace shows
// it (struct user_regs_struct). The FPU, SSE and AVX state is not in it and
// needs no saving: a system call preserves it, and no user code runs in
// the target while it executes the calls injected here.
type regs = unix.PtraceRegs

// syscallInsn is the instruction borrowed to enter the kernel: `syscall`
// (0f 05). insnAlign is the alignment it needs (none on x86).
var syscallInsn = []byte{0x0f, 0x05}

const insnAlign = 1

// int80Insn is `int $0x80`, the 32-bit system call, also 2 bytes: a thread
// taken at the entry of one re-executes it correctly when restored, but it
// is never borrowed (it would read rax as an i386 syscall number).
var int80Insn = []byte{0xcd, 0x80}

func getRegs(tid int) (regs, error) {
	var r regs
	err := ptracePtr(unix.PTRACE_GETREGS, tid, 0, unsafe.Pointer(&r))
	return r, err
}

func setRegs(tid int, r *regs) error {
	return ptracePtr(unix.PTRACE_SETREGS, tid, 0, unsafe.Pointer(r))
}

func pcOf(r *regs) uint64 { return r.Rip }

// restartPending tells, at a stop in signal handling, whether the thread
// was in a system call that the kernel will restart when it leaves the
// stop. On x86 the kernel decides that after the stop: orig_rax holds the
// number of the syscall the thread was in (-1 outside one), and rax its
// return value, -ERESTART* for a restart.
func restartPending(t *tracee, r *regs) (bool, error) {
	return int64(r.Orig_rax) >= 0 && isRestart(int64(r.Rax)), nil
}

// atEntry turns the registers of a syscall-entry stop into "about to
// execute that system call", the state restored at the end.
func atEntry(r regs) regs {
	// rip: back from after the instruction onto it (syscall and int $0x80
	// are both 2 bytes), so that restoring re-executes the call.
	r.Rip -= 2
	// rax: the syscall number again. At an entry stop the kernel shows
	// -ENOSYS there and keeps the number in orig_rax.
	r.Rax = r.Orig_rax
	// orig_rax: -1, "not in a system call": once restored there is nothing
	// for the kernel to restart or skip; the instruction does it again.
	r.Orig_rax = ^uint64(0)
	return r
}

// outside marks registers as "not in a system call" for the restore:
// orig_rax = -1, so that on its way back to user mode the kernel applies no
// restart logic to the state it is given (if the thread had stopped in a
// syscall that needed restarting, capture already let the kernel do it).
func outside(r regs) regs {
	r.Orig_rax = ^uint64(0)
	return r
}

// setSyscallNo is for arm64, which keeps the syscall number outside the
// register set; on x86 orig_rax in regs says it.
func setSyscallNo(tid int, nr int64) error { return nil }

// inPlace turns callRegs's registers into those that make the system call
// the thread is stopped at the entry of be nr instead, returning to pc (the
// kernel reads the number from orig_rax after the entry stop).
func inPlace(r regs, pc, nr uint64) regs {
	r.Rip = pc
	r.Orig_rax = nr
	return r
}

// callRegs is saved with the registers the x86-64 syscall ABI reads set up
// for nr(a...) at the instruction at insn; every other register keeps the
// thread's own value.
func callRegs(saved regs, insn uint64, nr uint64, a [6]uint64) regs {
	r := saved
	r.Rip = insn            // rip: the borrowed syscall instruction
	r.Rax = nr              // rax: the syscall number; the result comes back in it
	r.Orig_rax = ^uint64(0) // orig_rax: -1: at a syscall-entry stop this skips the call that was about to run, and leaving any stop the kernel finds no syscall to restart
	r.Rdi = a[0]            // rdi, rsi, rdx, r10, r8, r9: the six arguments (r10, not
	r.Rsi = a[1]            // rcx: the syscall instruction overwrites rcx with the
	r.Rdx = a[2]            // return address and r11 with rflags; both come back
	r.R10 = a[3]            // with the restore like every other register)
	r.R8 = a[4]
	r.R9 = a[5]
	r.Eflags &^= 1 << 8 // rflags.TF: no single-step trap while the call runs
	return r
}

// checkArch refuses a thread that does not run 64-bit code: cs is 0x33 for
// 64-bit user mode and 0x23 for a 32-bit (i386) process, whose syscall
// numbers and structures differ.
func checkArch(r *regs) error {
	if r.Cs != 0x33 {
		return fmt.Errorf("a 32-bit process (cs %#x); only 64-bit x86 processes are supported: %w", r.Cs, ErrUnsupported)
	}
	return nil
}

// corrupt is for the tests that prove the checksum job notices a register
// that was not restored: it flips the callee-saved and scratch registers a
// compiled loop keeps its values in.
func corrupt(r *regs) {
	r.Rbx ^= 0x5a5a
	r.Rsi ^= 0x5a5a
	r.Rdi ^= 0x5a5a
	r.R12 ^= 0x5a5a
	r.R13 ^= 0x5a5a
	r.R14 ^= 0x5a5a
	r.R15 ^= 0x5a5a
	r.R8 ^= 0x5a5a
	r.R9 ^= 0x5a5a
	r.R10 ^= 0x5a5a
	r.R11 ^= 0x5a5a
	r.Rdx ^= 0x5a5a
	r.Rcx ^= 0x5a5a
	r.Rax ^= 0x5a5a
}
