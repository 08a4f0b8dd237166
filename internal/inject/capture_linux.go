//go:build linux && (amd64 || arm64)

package inject

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/nohupx/nohupx/internal/diag"
)

// Where to take the thread, which instruction to borrow, and how one
// system call is run in the target.

// isRestart reports the return values with which the kernel restarts the
// system call when the thread leaves a stop without running a handler
// (-ERESTARTSYS, -ERESTARTNOINTR, -ERESTARTNOHAND, -ERESTART_RESTARTBLOCK).
func isRestart(ret int64) bool {
	switch ret {
	case -512, -513, -514, -516:
		return true
	}
	return false
}

// capture returns the registers to restore at the end, with the thread at
// a stop from which the injected calls can start.
//
// Stopped in user code, or in a system call that has its result already,
// the registers of the first stop are the whole state.
//
// Stopped in a system call the kernel is going to restart (restartPending),
// they are not: the restart is done by the kernel when the thread leaves
// the stop, from state ptrace cannot fully restore (arm64's orig_x0 is in
// no register set, each injected call would overwrite it; x86 rewinds the
// pc only after the stop). So the kernel is let do it: PTRACE_SYSCALL, and
// the thread is taken at the next syscall-entry stop, normally the
// restarted call (or one in a signal handler the kernel chose to run: just
// as good, the kernel having decided EINTR or restart itself). Its registers,
// with the pc moved back onto the syscall instruction, mean "about to
// execute this system call": restoring them makes the thread execute it.
func (t *tracee) capture(r regs, attempts int) (regs, bool, error) {
	pending, err := restartPending(t, &r)
	if err != nil {
		return r, false, t.detachUntouched(errorf(ErrFailed, "read the system call state: %s", diag.Strerror(err)))
	}
	if !pending {
		return r, false, nil
	}
	if attempts >= 3 {
		return r, false, t.detachUntouched(errorf(ErrFailed, "it was inside an interrupted system call three times in a row"))
	}
	if err := t.resumeSyscall(0); err != nil {
		return r, false, err
	}
	return t.nextEntry(r, attempts)
}

// nextEntry waits until the thread, resumed with PTRACE_SYSCALL, is at a
// syscall-entry stop, and returns the registers that make it execute that
// system call. r is what is returned if it fails.
func (t *tracee) nextEntry(r regs, attempts int) (regs, bool, error) {
	interrupted := false
	for {
		s, err := t.wait()
		if err == errTimeout && !interrupted {
			// Running without a system call (a long signal handler):
			// stop it wherever it is and start over from there.
			interrupted = true
			if ptrace(unix.PTRACE_INTERRUPT, t.tid, 0, 0) == nil {
				continue
			}
		}
		if err != nil {
			// No register was written: it runs on as it would have,
			// traced until nohupx exits.
			return r, false, errorf(ErrFailed, "it did not stop again (%v); nothing was changed", err)
		}
		switch s.kind {
		case stopGone:
			return r, false, errorf(ErrNoProcess, "%s", exited("it exited", s.how))
		case stopSignal: // delivered as it would have been: exactly what the kernel does next
			if err := t.resumeSyscall(s.sig); err != nil {
				return r, false, err
			}
		case stopEvent: // a stop in signal handling: as good as the first one
			if s.sig != syscall.SIGTRAP {
				t.groupStop = true
			}
			r2, err := getRegs(t.tid)
			if err != nil {
				return r, false, errorf(ErrNoProcess, "read registers: %s", diag.Strerror(err))
			}
			return t.capture(r2, attempts+1)
		case stopSyscall:
			saved, entry, err := t.entryRegs()
			if err != nil || entry {
				return saved, entry, err
			}
			if err := t.resumeSyscall(0); err != nil {
				return r, false, err
			}
		}
	}
}

// resumeSyscall resumes the thread until its next system call stop,
// delivering sig (0 for none).
func (t *tracee) resumeSyscall(sig syscall.Signal) error {
	if err := ptrace(unix.PTRACE_SYSCALL, t.tid, 0, uintptr(sig)); err != nil {
		return errorf(ErrNoProcess, "PTRACE_SYSCALL: %s", diag.Strerror(err))
	}
	return nil
}

// entryRegs, at a system call stop, tells whether it is an entry stop
// and, if so, returns the registers that make the thread execute that
// call: the entry's, with the pc moved back onto the instruction.
func (t *tracee) entryRegs() (regs, bool, error) {
	info, err := getSyscallInfo(t.tid)
	if err != nil {
		return regs{}, false, errorf(ErrNoProcess, "PTRACE_GET_SYSCALL_INFO: %s", diag.Strerror(err))
	}
	if info.op != unix.PTRACE_SYSCALL_INFO_ENTRY {
		return regs{}, false, nil
	}
	re, err := getRegs(t.tid)
	if err != nil {
		return regs{}, false, errorf(ErrNoProcess, "read registers: %s", diag.Strerror(err))
	}
	saved := atEntry(re)
	// The state must be what atEntry assumes: a syscall instruction
	// right before the entry's pc.
	b := make([]byte, len(syscallInsn))
	if err := t.memRead(pcOf(&saved), b); err != nil || !isSyscallInsn(b) {
		return regs{}, false, t.detachUntouched(errorf(ErrFailed, "no system call instruction before pc %#x", pcOf(&re)))
	}
	if bytes.HasPrefix(b, syscallInsn) { // not int $0x80, whose numbers are i386's
		t.entryAt = pcOf(&re)
	}
	return saved, true, nil
}

// isSyscallInsn tells whether b starts with a system call instruction that
// re-executes correctly from an entry stop's registers.
func isSyscallInsn(b []byte) bool {
	return bytes.HasPrefix(b, syscallInsn) || len(int80Insn) > 0 && bytes.HasPrefix(b, int80Insn)
}

// findInsn finds a system call instruction the process already has, to
// borrow: the target's own code is never written. Executing it from its
// address works whatever code surrounds it, because the thread is stopped
// again at the syscall's exit, before anything after it runs.
//  1. At a syscall-entry stop, the very instruction the thread is taken
//     at; otherwise the two (four) bytes before the pc, which are the
//     instruction a thread stopped in a system call has just executed.
//  2. The executable mapping the pc is in (see below why).
//  3. The vDSO, which the kernel maps into every process and which has
//     syscall instructions in its fallback paths (and, on arm64, in its
//     signal return trampoline).
//  4. Any other executable mapping of the process ([vsyscall] excluded:
//     executing there traps unless at its three entry points).
func (t *tracee) findInsn(saved *regs, atEntryStop bool) (uint64, string, error) {
	n := uint64(len(syscallInsn))
	cand, from := pcOf(saved)-n, "pc"
	if atEntryStop {
		cand, from = pcOf(saved), "entry"
	}
	b := make([]byte, n)
	if !testVDSO && cand%insnAlign == 0 && t.memRead(cand, b) == nil && string(b) == string(syscallInsn) {
		return cand, from, nil
	}
	pc := pcOf(saved)
	order, err := t.execMappings(pc)
	if err != nil {
		return 0, "", err
	}
	s := insnScan{t: t, buf: make([]byte, 64<<10), budget: 64 << 20}
	for _, m := range order {
		if addr, ok := s.find(m); ok {
			switch {
			case m.Name == "[vdso]":
				return addr, "vdso", nil
			case m.Start <= pc && pc < m.End:
				return addr, "pc's mapping", nil
			}
			return addr, "mapping", nil
		}
	}
	return 0, "", errorf(ErrFailed, "no system call instruction in its executable memory")
}

// execMappings returns the target's executable mappings in the order they
// are searched. The mapping the thread runs in comes first: a signal
// handler that runs during an injection sees the pc there, and some look
// at what it is. Go's on arm64 takes a pc in the vDSO for "g may be
// clobbered" and looks g up where only its own vDSO calls put it: a Go
// thread caught in its own code and sent into the vDSO dies of "bad g in
// signal handler" if a signal comes (measured). Then the vDSO, then the
// rest.
func (t *tracee) execMappings(pc uint64) ([]mapping, error) {
	f, err := os.Open(procPath(t.pid, "maps"))
	if err != nil {
		return nil, errorf(ErrFailed, "read its memory map: %s", diag.Strerror(err))
	}
	maps, err := parseMaps(f)
	f.Close()
	if err != nil {
		return nil, errorf(ErrFailed, "read its memory map: %v", err)
	}
	rank := func(m mapping) int {
		switch {
		case testVDSO:
			if m.Name == "[vdso]" {
				return 0
			}
			return 2
		case m.Start <= pc && pc < m.End:
			return 0
		case m.Name == "[vdso]":
			return 1
		}
		return 2
	}
	var order []mapping
	for r := 0; r <= 2; r++ {
		for _, m := range maps {
			if rank(m) == r && m.Name != "[vsyscall]" && strings.Contains(m.Perms, "x") {
				order = append(order, m)
			}
		}
	}
	return order, nil
}

// insnScan reads the target's memory a chunk at a time, looking for a
// system call instruction, and stops for good once budget bytes are read.
type insnScan struct {
	t      *tracee
	buf    []byte
	budget int
}

// find returns the address of the first aligned system call instruction
// in m, if any is within what can be read of it.
func (s *insnScan) find(m mapping) (uint64, bool) {
	n := uint64(len(syscallInsn))
	for addr := m.Start; addr < m.End && s.budget > 0; {
		chunk := s.buf
		if rest := m.End - addr; rest < uint64(len(chunk)) {
			chunk = chunk[:rest]
		}
		if s.t.memRead(addr, chunk) != nil {
			return 0, false
		}
		s.budget -= len(chunk)
		for i := 0; i+int(n) <= len(chunk); i += insnAlign {
			if string(chunk[i:i+int(n)]) == string(syscallInsn) {
				return addr + uint64(i), true
			}
		}
		// An instruction split across chunks is found by overlapping.
		if uint64(len(chunk)) <= n {
			return 0, false
		}
		addr += uint64(len(chunk)) - n + 1
		if insnAlign > 1 {
			addr = addr &^ (insnAlign - 1)
		}
	}
	return 0, false
}

// call executes nr(args...) in the target with the borrowed instruction at
// insn, every other register as in saved, and returns the kernel's result
// (-errno on failure). err is for the mechanism failing (errGone,
// errTimeout, a ptrace error).
//
// The thread is resumed with PTRACE_SYSCALL until the entry stop of this
// very call (its number, its first argument, and the pc right after insn)
// and then its exit stop. Stops on the way are handled as the kernel
// would without us: a signal is delivered (a handler runs on top of the
// injected state and returns to it), a group-stop is passed.
//
// At the syscall-entry stop capture took, the first call is made in place
// of the thread's own (which restore has it execute again): skipping it
// with number -1 instead would show -1 to the thread's seccomp filter,
// which the kernel runs after the entry stop, with whatever the tracer
// left. An allow-list filter answers -1 with its default action: KILL,
// or an errno that lands in the register holding the number that the
// borrowed instruction was to execute next (measured: libseccomp filters
// kill the target, or it runs on from the instruction with our registers).
func (t *tracee) call(saved *regs, insn uint64, nr uintptr, args ...uint64) (int64, error) {
	var a [6]uint64
	copy(a[:], args)
	r := callRegs(*saved, insn, uint64(nr), a)
	after, entered, no := insn+uint64(len(syscallInsn)), false, int64(-1)
	if t.entryAt != 0 {
		r = inPlace(r, t.entryAt, uint64(nr))
		after, entered, no = t.entryAt, true, int64(nr)
		t.entryAt = 0
	}
	if err := setRegs(t.tid, &r); err != nil {
		return 0, mechanism(err)
	}
	if err := setSyscallNo(t.tid, no); err != nil {
		return 0, mechanism(err)
	}
	var sig syscall.Signal
	for {
		s, err := t.resumeWait(sig)
		sig = 0
		if err != nil {
			return 0, err
		}
		switch s.kind {
		case stopGone:
			return 0, gone{s.how}
		case stopSignal:
			sig = s.sig
			t.passed++
		case stopEvent:
			if s.sig != syscall.SIGTRAP {
				t.groupStop = true
			}
		case stopSyscall:
			info, err := getSyscallInfo(t.tid)
			if err != nil {
				return 0, mechanism(err)
			}
			switch {
			case !entered && info.op == unix.PTRACE_SYSCALL_INFO_ENTRY && info.nr == uint64(nr) &&
				info.ip == after && info.arg0 == a[0]:
				entered = true
			case entered && info.op == unix.PTRACE_SYSCALL_INFO_EXIT:
				return t.trapped(after, nr, info.rval)
			}
		}
	}
}

// resumeWait resumes the thread until its next system call stop,
// delivering sig (0 for none), and waits for the next stop.
func (t *tracee) resumeWait(sig syscall.Signal) (stop, error) {
	if err := ptrace(unix.PTRACE_SYSCALL, t.tid, 0, uintptr(sig)); err != nil {
		return stop{}, mechanism(err)
	}
	return t.waitOrInterrupt()
}

func mechanism(err error) error {
	if errors.Is(err, unix.ESRCH) {
		return errGone
	}
	return err
}
