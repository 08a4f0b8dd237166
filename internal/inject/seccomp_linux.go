//go:build linux && (amd64 || arm64)

package inject

import (
	"encoding/binary"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// A seccomp filter can answer an injected call with SECCOMP_RET_TRAP: the
// kernel skips the call and queues a SIGSYS for the thread (si_code
// SYS_SECCOMP), which it would deliver on the way back to user mode. The
// program did not make that call, so the signal is not its to get: its
// default action kills it, and a handler (a sandbox's broker) would act on
// a call it never made. The call is reported refused instead.

// rvalTrapped is the result call gives for a call the filter trapped: no
// errno (they end at 4095), so that strerror can name the reason.
const rvalTrapped = -4096

// sysSeccomp is SIGSYS's si_code for a seccomp trap.
const sysSeccomp = 1

// trapped returns rval, the result at the exit stop of the call nr made
// with the instruction ending at after, or rvalTrapped if the filter
// trapped it; then the SIGSYS is taken off the thread on the way, which
// leaves it at that signal's delivery stop, from which the next call or
// the restore starts as from any stop.
func (t *tracee) trapped(after uint64, nr uintptr, rval int64) (int64, error) {
	ours := func(si []byte) bool {
		le := binary.LittleEndian
		return int32(le.Uint32(si[0:])) == int32(syscall.SIGSYS) && int32(le.Uint32(si[8:])) == sysSeccomp &&
			le.Uint64(si[16:]) == after && int32(le.Uint32(si[24:])) == int32(nr)
	}
	found := false
	pending, err := t.peekSiginfo()
	if err != nil {
		return 0, mechanism(err)
	}
	for _, si := range pending {
		found = found || ours(si)
	}
	if !found {
		return rval, nil
	}
	// It is dequeued first (SIGSYS is synchronous); anything else that
	// comes first is passed on, as the kernel would.
	var sig syscall.Signal
	for {
		s, err := t.resumeWait(sig)
		sig = 0
		switch {
		case err != nil:
			return 0, err
		case s.kind == stopGone:
			return 0, gone{s.how}
		case s.kind == stopEvent && s.sig != syscall.SIGTRAP:
			t.groupStop = true
		case s.kind == stopSignal:
			var si [128]byte
			if err := ptracePtr(unix.PTRACE_GETSIGINFO, t.tid, 0, unsafe.Pointer(&si[0])); err != nil {
				return 0, mechanism(err)
			}
			if ours(si[:]) {
				return rvalTrapped, nil // not delivered: the next resume passes no signal
			}
			sig = s.sig
			t.passed++
		}
	}
}

// peekSiginfo returns the siginfo of each signal queued for the thread
// itself (not the process's shared queue), without dequeuing them.
func (t *tracee) peekSiginfo() ([][]byte, error) {
	const max = 32
	var buf [max * 128]byte
	args := struct {
		off   uint64
		flags uint32
		nr    int32
	}{0, 0, max}
	n, _, e := unix.Syscall6(unix.SYS_PTRACE, unix.PTRACE_PEEKSIGINFO, uintptr(t.tid),
		uintptr(unsafe.Pointer(&args)), uintptr(unsafe.Pointer(&buf[0])), 0, 0)
	if e != 0 {
		return nil, e
	}
	var out [][]byte
	for i := 0; i < int(n); i++ {
		out = append(out, buf[i*128:(i+1)*128])
	}
	return out, nil
}
