//go:build linux && (amd64 || arm64)

package inject

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The ptrace primitives. Every call must come from the thread that seized
// the tracee (ptrace ties a tracee to a thread, not a process): Apply
// locks its goroutine to its OS thread for the whole of one target.

func ptrace(req int, tid int, addr, data uintptr) error {
	_, _, e := unix.Syscall6(unix.SYS_PTRACE, uintptr(req), uintptr(tid), addr, data, 0, 0)
	if e != 0 {
		return e
	}
	return nil
}

func ptracePtr(req int, tid int, addr uintptr, data unsafe.Pointer) error {
	_, _, e := unix.Syscall6(unix.SYS_PTRACE, uintptr(req), uintptr(tid), addr, uintptr(data), 0, 0)
	if e != 0 {
		return e
	}
	return nil
}

// stopKind is what kind of ptrace-stop a wait reported.
type stopKind int

const (
	stopEvent   stopKind = iota // PTRACE_EVENT_STOP: our PTRACE_INTERRUPT, or a group-stop (^Z)
	stopSyscall                 // syscall-entry or -exit stop (PTRACE_O_TRACESYSGOOD)
	stopSignal                  // signal-delivery-stop: sig is about to be delivered
	stopGone                    // the thread exited or was killed
)

type stop struct {
	kind stopKind
	sig  syscall.Signal // the stop signal; for stopEvent SIGTRAP means "not a group-stop"
	how  string         // for stopGone: what the wait status said, or ""
}

var errTimeout = errors.New("the process did not stop in time")

// gone is the traced thread gone, with what its wait status said
// ("killed by SIGSYS"), or with how empty when a ptrace request found it
// gone (ESRCH) before a wait could say. errGone is that empty one; every
// gone matches it with errors.Is.
type gone struct{ how string }

var errGone error = gone{}

func (g gone) Error() string { return exited("the process exited", g.how) }
func (g gone) Is(target error) bool {
	_, ok := target.(gone)
	return ok
}

// exited is msg with how the thread went, when a wait status said.
func exited(msg, how string) string {
	if how == "" {
		return msg
	}
	return msg + " (" + how + ")"
}

// tracee is one seized thread of the target process.
type tracee struct {
	pid, tid  int
	timeout   time.Duration
	memfd     int  // /proc/PID/mem, -1 until opened
	groupStop bool // a group-stop (SIGSTOP, ^Z) was seen on the way
	passed    int  // signals passed on while the thread was held
	// entryAt, while the thread is held at the syscall-entry stop of a
	// syscall instruction and nothing is written yet, is the pc after it.
	entryAt uint64
	// filtered: the process runs under a seccomp filter (Seccomp: 2).
	filtered bool
}

// seize attaches without stopping (PTRACE_SEIZE, unlike PTRACE_ATTACH,
// sends no SIGSTOP that the process or its shell could see), asking for
// syscall stops marked with 0x80 so that they cannot be taken for a
// SIGTRAP. No PTRACE_O_EXITKILL: if nohupx dies, the target must live.
func (t *tracee) seize() error {
	return ptrace(unix.PTRACE_SEIZE, t.tid, 0, unix.PTRACE_O_TRACESYSGOOD)
}

// decode turns a wait status into a stop.
func decode(ws unix.WaitStatus) stop {
	switch {
	case ws.Exited():
		return stop{kind: stopGone, how: fmt.Sprintf("exited with status %d", ws.ExitStatus())}
	case ws.Signaled():
		return stop{kind: stopGone, how: "killed by " + unix.SignalName(ws.Signal())}
	case !ws.Stopped():
		return stop{kind: stopGone, how: fmt.Sprintf("wait status %#x", uint32(ws))}
	}
	sig := syscall.Signal((uint32(ws) >> 8) & 0xff)
	event := (uint32(ws) >> 16) & 0xff
	switch {
	case event == unix.PTRACE_EVENT_STOP:
		return stop{kind: stopEvent, sig: sig}
	case sig == syscall.SIGTRAP|0x80:
		return stop{kind: stopSyscall, sig: syscall.SIGTRAP}
	case event != 0: // an event we did not ask for; treat it as a trap
		return stop{kind: stopEvent, sig: syscall.SIGTRAP}
	}
	return stop{kind: stopSignal, sig: sig}
}

// wait waits for the next stop of the thread, polling so that a target
// that never stops cannot hang nohupx: after t.timeout it returns
// errTimeout. __WALL: a thread that is not the leader is a "clone" child
// in wait's eyes.
func (t *tracee) wait() (stop, error) {
	deadline := time.Now().Add(t.timeout)
	pause := 10 * time.Microsecond
	for {
		var ws unix.WaitStatus
		wpid, err := unix.Wait4(t.tid, &ws, unix.WALL|unix.WNOHANG, nil)
		switch {
		case err == unix.EINTR:
			continue
		case err == unix.ECHILD:
			return stop{kind: stopGone}, nil // not ours to wait for: how is unknown
		case err != nil:
			return stop{}, fmt.Errorf("wait4: %w", err)
		case wpid == t.tid:
			return decode(ws), nil
		}
		if time.Now().After(deadline) {
			return stop{}, errTimeout
		}
		time.Sleep(pause)
		if pause < 2*time.Millisecond {
			pause *= 2
		} else if s, ok := t.leaderEnded(); ok {
			return s, nil
		}
	}
}

// leaderEnded reports the end of a thread-group leader that wait4 does
// not: the kernel holds a leader's exit back from wait until every other
// thread of its process has gone, so a leader killed alone (by a seccomp
// filter's SECCOMP_RET_KILL_THREAD) or that called pthread_exit would
// look like a thread that never stops. Its stat says it is a zombie, and
// with what status.
func (t *tracee) leaderEnded() (stop, bool) {
	if t.tid != t.pid {
		return stop{}, false
	}
	st, err := threadStat(t.pid, t.tid)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return stop{kind: stopGone}, true
	case err != nil || (st.State != 'Z' && st.State != 'X'):
		return stop{}, false
	case st.ExitCode == 0:
		return stop{kind: stopGone}, true
	}
	return decode(unix.WaitStatus(st.ExitCode)), true
}

// waitOrInterrupt is wait that, on a timeout, interrupts the thread once
// (a blocked injected call then fails with EINTR or -ERESTARTSYS, which
// is a failure we can undo) and waits again.
func (t *tracee) waitOrInterrupt() (stop, error) {
	s, err := t.wait()
	if err != errTimeout {
		return s, err
	}
	if err := ptrace(unix.PTRACE_INTERRUPT, t.tid, 0, 0); err != nil {
		return stop{}, errTimeout
	}
	return t.wait()
}

// syscallInfo is the part of struct ptrace_syscall_info (Linux 5.3) used
// here: which kind of syscall stop this is, where, and the number or the
// result.
type syscallInfo struct {
	op   uint8 // PTRACE_SYSCALL_INFO_ENTRY, _EXIT, _NONE, _SECCOMP
	ip   uint64
	nr   uint64 // entry: the syscall number
	arg0 uint64 // entry: its first argument
	rval int64  // exit: the return value (-errno on error)
}

func getSyscallInfo(tid int) (syscallInfo, error) {
	// 88 bytes in Linux 6.x; the kernel fills at most what we offer.
	var b [128]byte
	_, _, e := unix.Syscall6(unix.SYS_PTRACE, unix.PTRACE_GET_SYSCALL_INFO, uintptr(tid),
		uintptr(len(b)), uintptr(unsafe.Pointer(&b[0])), 0, 0)
	if e != 0 {
		return syscallInfo{}, e
	}
	le := binary.LittleEndian
	info := syscallInfo{op: b[0], ip: le.Uint64(b[8:16])}
	switch info.op {
	case unix.PTRACE_SYSCALL_INFO_ENTRY:
		info.nr = le.Uint64(b[24:32])
		info.arg0 = le.Uint64(b[32:40])
	case unix.PTRACE_SYSCALL_INFO_EXIT:
		info.rval = int64(le.Uint64(b[24:32]))
	}
	return info, nil
}

// memRead and memWrite go through /proc/PID/mem, which the tracer may
// read and write whatever the pages' protections are.
func (t *tracee) memRead(addr uint64, b []byte) error {
	for len(b) > 0 {
		n, err := unix.Pread(t.memfd, b, int64(addr))
		if err != nil {
			return fmt.Errorf("read target memory at %#x: %w", addr, err)
		}
		if n == 0 {
			return fmt.Errorf("read target memory at %#x: end of file", addr)
		}
		b, addr = b[n:], addr+uint64(n)
	}
	return nil
}

func (t *tracee) memWrite(addr uint64, b []byte) error {
	for len(b) > 0 {
		n, err := unix.Pwrite(t.memfd, b, int64(addr))
		if err != nil {
			return fmt.Errorf("write target memory at %#x: %w", addr, err)
		}
		b, addr = b[n:], addr+uint64(n)
	}
	return nil
}
