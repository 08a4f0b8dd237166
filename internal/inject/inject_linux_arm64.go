//go:build linux && arm64

package inject

import (
	"encoding/binary"
	"fmt"
	"unsafe"

	"golang.org/x/sys/unix"
)

// regs is the general-purpose register file of one thread as ptrace shows
// it through PTRACE_GETREGSET NT_PRSTATUS (struct user_pt_regs: x0–x30,
// sp, pc, pstate). The FP/SIMD state is not in it and needs no saving: no
// user code runs in the target while the injected calls execute. SVE is
// the exception: see the caveat on Apply.
type regs = unix.PtraceRegs

// syscallInsn is `svc #0` (0xd4000001, little-endian); instructions are
// 4-byte aligned.
var syscallInsn = []byte{0x01, 0x00, 0x00, 0xd4}

const insnAlign = 4

// int80Insn has no arm64 counterpart.
var int80Insn []byte

func getRegs(tid int) (regs, error) {
	var r regs
	iov := unix.Iovec{Base: (*byte)(unsafe.Pointer(&r))}
	iov.SetLen(int(unsafe.Sizeof(r)))
	err := ptracePtr(unix.PTRACE_GETREGSET, tid, unix.NT_PRSTATUS, unsafe.Pointer(&iov))
	return r, err
}

func setRegs(tid int, r *regs) error {
	iov := unix.Iovec{Base: (*byte)(unsafe.Pointer(r))}
	iov.SetLen(int(unsafe.Sizeof(*r)))
	return ptracePtr(unix.PTRACE_SETREGSET, tid, unix.NT_PRSTATUS, unsafe.Pointer(&iov))
}

func pcOf(r *regs) uint64 { return r.Pc }

// syscallNo reads the kernel's syscallno, the number of the system call
// the thread is in (-1 outside one), which arm64 keeps out of the
// register set: NT_ARM_SYSTEM_CALL.
func syscallNo(tid int) (int32, error) {
	var b [4]byte
	iov := unix.Iovec{Base: &b[0]}
	iov.SetLen(4)
	err := ptracePtr(unix.PTRACE_GETREGSET, tid, unix.NT_ARM_SYSTEM_CALL, unsafe.Pointer(&iov))
	return int32(binary.LittleEndian.Uint32(b[:])), err
}

// setSyscallNo sets syscallno. -1 (NO_SYSCALL): at a syscall-entry stop
// that skips the call that was about to run, and leaving any stop the
// kernel then finds no syscall to restart. Done with every register write.
// Another number, at an entry stop: the kernel runs that call instead.
func setSyscallNo(tid int, nr int64) error {
	var b [4]byte
	binary.LittleEndian.PutUint32(b[:], uint32(nr))
	iov := unix.Iovec{Base: &b[0]}
	iov.SetLen(4)
	return ptracePtr(unix.PTRACE_SETREGSET, tid, unix.NT_ARM_SYSTEM_CALL, unsafe.Pointer(&iov))
}

// restartPending tells, at a stop in signal handling, whether the thread
// was in a system call that the kernel restarts. arm64 applies the restart
// before the stop, so that a debugger sees it (do_signal): pc is moved back
// onto the svc, x0 gets orig_x0 back, syscallno is forgotten (-1). Only
// for -ERESTART_RESTARTBLOCK does x8 become restart_syscall, and that
// after the stop. So an svc at the pc is the sign: the thread is to
// execute it when it leaves the stop, and capture lets it, to take it at
// that syscall's entry with x8 as the kernel sets it. A thread about to
// execute an svc anyway is taken there just the same. A stop where
// syscallno is still set (not in signal handling) shows the return value
// in x0, as on x86.
func restartPending(t *tracee, r *regs) (bool, error) {
	no, err := syscallNo(t.tid)
	if err != nil {
		return false, err
	}
	if no != -1 {
		return isRestart(int64(r.Regs[0])), nil
	}
	b := make([]byte, len(syscallInsn))
	if r.Pc%insnAlign != 0 || t.memRead(r.Pc, b) != nil {
		return false, nil
	}
	return string(b) == string(syscallInsn), nil
}

// atEntry turns the registers of a syscall-entry stop into "about to
// execute that system call", the state restored at the end.
func atEntry(r regs) regs {
	// pc: back from after `svc #0` onto it, so that restoring re-executes
	// the call.
	r.Pc -= 4
	// x8 keeps the syscall number (restart_syscall if the kernel chose
	// it); x0–x5 hold the arguments: at an entry stop x0 is still the
	// first argument (the kernel put orig_x0 back when it restarted).
	// x7 reads 0 here, the kernel's entry marker; the kernel drops writes
	// to x7 at syscall stops and puts the thread's own value back, and
	// every stop the restore happens at is a syscall stop, so x7 is never
	// taken from this copy.
	return r
}

// outside: on arm64 "not in a system call" is syscallno, set apart by
// setSyscallNo.
func outside(r regs) regs { return r }

// callRegs is saved with the registers the arm64 syscall ABI reads set up
// for nr(a...) at the instruction at insn; every other register, x7 and
// x28 (Go's g) included, keeps the thread's own value.
func callRegs(saved regs, insn uint64, nr uint64, a [6]uint64) regs {
	r := saved
	r.Pc = insn    // pc: the borrowed svc #0
	r.Regs[8] = nr // x8: the syscall number
	for i := 0; i < 6; i++ {
		r.Regs[i] = a[i] // x0–x5: the arguments; the result comes back in x0
	}
	// pstate.BTYPE (bits 10–11): a thread stopped right after an indirect
	// branch would fault at an svc that is no BTI landing pad (the vDSO is
	// BTI-guarded). pstate.SS (bit 21): no single-step.
	r.Pstate &^= 3<<10 | 1<<21
	return r
}

// inPlace turns callRegs's registers into those that make the system call
// the thread is stopped at the entry of return to pc; the number is set
// apart (setSyscallNo). The arguments are read from x0–x5 after the stop;
// a seccomp filter, though, is shown orig_x0 as the first argument, which
// ptrace cannot write: the first argument of the thread's own call.
func inPlace(r regs, pc, nr uint64) regs {
	r.Pc = pc
	return r
}

// checkArch refuses an AArch32 thread (pstate.nRW, bit 4), whose syscall
// numbers and instructions differ.
func checkArch(r *regs) error {
	if r.Pstate&0x10 != 0 {
		return fmt.Errorf("a 32-bit (AArch32) process: %w", ErrUnsupported)
	}
	return nil
}

// corrupt is for the tests that prove the checksum job notices a register
// that was not restored.
func corrupt(r *regs) {
	for i := 0; i < 18; i++ {
		r.Regs[i] ^= 0x5a5a
	}
	for i := 19; i < 28; i++ {
		r.Regs[i] ^= 0x5a5a
	}
}
