//go:build linux && (amd64 || arm64)

package inject

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/nohupx/nohupx/internal/diag"
	"github.com/nohupx/nohupx/internal/procfs"
	"github.com/nohupx/nohupx/internal/sigs"
)

// work is what is left to do in one target.
type work struct {
	sigs    []syscall.Signal // to query in the target and set to SIG_IGN if still called for
	stdin   bool             // fd 0 is a terminal
	out     []int            // fds 1, 2 that are terminals
	cloexec map[int]bool     // the close-on-exec flag of each fd to replace, kept
}

func (w work) empty() bool { return len(w.sigs) == 0 && !w.stdin && len(w.out) == 0 }

// plan decides from /proc what needs the target's own hands. A signal it
// already ignores, or for which it has a handler that is to be kept, needs
// nothing: those are recorded in res at once.
func plan(req Request, st procfs.Status, pid int) work {
	w := work{cloexec: map[int]bool{}}
	for _, sig := range req.Ignore {
		bit := sigs.Mask(sig)
		switch {
		case st.SigIgn&bit != 0, st.SigCgt&bit != 0 && !req.Always:
			// decided below, by alreadyDone
		default:
			w.sigs = append(w.sigs, sig)
		}
	}
	drivers := ttyDrivers()
	for fd := 0; fd <= 2; fd++ {
		var sb unix.Stat_t
		if unix.Stat(procPath(pid, "fd/"+strconv.Itoa(fd)), &sb) != nil || sb.Mode&unix.S_IFMT != unix.S_IFCHR {
			continue
		}
		if !isTerminal(drivers, unix.Major(uint64(sb.Rdev)), unix.Minor(uint64(sb.Rdev))) {
			continue
		}
		if info, err := os.ReadFile(procPath(pid, "fdinfo/"+strconv.Itoa(fd))); err == nil {
			if flags, err := parseFdinfoFlags(info); err == nil {
				w.cloexec[fd] = flags&unix.O_CLOEXEC != 0
			}
		}
		switch {
		case fd == 0:
			w.stdin = true
		case req.Output != nil:
			w.out = append(w.out, fd)
		}
	}
	return w
}

// alreadyDone records the signals plan found needing nothing.
func alreadyDone(req Request, st procfs.Status, res *Result) {
	for _, sig := range req.Ignore {
		bit := sigs.Mask(sig)
		switch {
		case st.SigIgn&bit != 0:
			res.AlreadyIgnored = append(res.AlreadyIgnored, sig)
		case st.SigCgt&bit != 0 && !req.Always:
			res.KeptHandler = append(res.KeptHandler, sig)
		}
	}
}

var drivers struct {
	once sync.Once
	r    []ttyRange
}

func ttyDrivers() []ttyRange {
	drivers.once.Do(func() {
		f, err := os.Open("/proc/tty/drivers")
		if err != nil {
			return
		}
		defer f.Close()
		if r, err := parseTTYDrivers(f); err == nil {
			drivers.r = r
		}
	})
	return drivers.r
}

// saSize is the size of struct sigaction as rt_sigaction(2) reads and
// writes it on amd64 and arm64: handler, flags, restorer, mask, 8 bytes
// each (both have SA_RESTORER).
const saSize = 32

const (
	sigDfl = 0
	sigIgn = 1
)

// scratch is the data the injected calls need, laid out for a page that
// is mapped in the target for the duration and unmapped after: the
// target's own memory (its stack included) is never written. A Go
// goroutine's stack may end a few hundred bytes below its stack pointer,
// next to another goroutine's that another thread is using.
type scratch struct {
	data                []byte
	ign                 uint64   // offset of the SIG_IGN action
	old                 []uint64 // per signal, where its old action goes
	devnull, link, path uint64   // offsets of NUL-terminated names
	size                uint64   // data rounded up to whole pages
}

func layout(w work, out Output) scratch {
	var s scratch
	s.data = make([]byte, saSize) // SIG_IGN, no flags, no restorer, empty mask
	binary.LittleEndian.PutUint64(s.data, sigIgn)
	for range w.sigs {
		s.old = append(s.old, uint64(len(s.data)))
		s.data = append(s.data, make([]byte, saSize)...)
	}
	str := func(v string) uint64 {
		off := uint64(len(s.data))
		s.data = append(append(s.data, v...), 0)
		return off
	}
	s.devnull = str("/dev/null")
	if out.Fd >= 0 {
		s.link = str("/proc/" + strconv.Itoa(os.Getpid()) + "/fd/" + strconv.Itoa(out.Fd))
	}
	if out.Path != "" {
		s.path = str(out.Path)
	}
	page := uint64(os.Getpagesize())
	s.size = (uint64(len(s.data)) + page - 1) &^ (page - 1)
	return s
}

// undoer runs the injected calls and remembers how to take each change
// back.
type undoer struct {
	t     *tracee
	saved *regs
	insn  uint64
	steps []undoStep
}

type undoStep struct {
	what string
	nr   uintptr
	args []uint64
}

// sys runs one call; a mechanism failure comes back as errGone or as
// ErrNotUndone, since the thread may then be anywhere.
func (u *undoer) sys(what string, nr uintptr, args ...uint64) (int64, error) {
	r, err := u.t.call(u.saved, u.insn, nr, args...)
	switch {
	case err == nil:
		return r, nil
	case errors.Is(err, errGone):
		return 0, err
	}
	return 0, &kindError{kind: ErrNotUndone, msg: fmt.Sprintf("%s: %v; the process may be left half-changed", what, err)}
}

// must runs one call that has to succeed: a mechanism failure comes back
// as from sys, and a negative result undoes every change so far and comes
// back as "desc in it: why".
func (u *undoer) must(what, desc string, nr uintptr, args ...uint64) (int64, error) {
	r, err := u.sys(what, nr, args...)
	if err != nil {
		return 0, err
	}
	if r < 0 {
		return r, u.fail(desc + " in it: " + u.t.why(r))
	}
	return r, nil
}

func (u *undoer) push(what string, nr uintptr, args ...uint64) {
	u.steps = append(u.steps, undoStep{what, nr, args})
}

// fail takes back every change in reverse order and returns the failure
// as ErrFailed, or as ErrNotUndone naming what could not be taken back.
func (u *undoer) fail(msg string) error {
	var left []string
	for i := len(u.steps) - 1; i >= 0; i-- {
		s := u.steps[i]
		r, err := u.t.call(u.saved, u.insn, s.nr, s.args...)
		switch {
		case errors.Is(err, errGone):
			return err
		case err != nil:
			for j := i; j >= 0; j-- {
				left = append(left, u.steps[j].what)
			}
			return &kindError{kind: ErrNotUndone, msg: fmt.Sprintf("%s; undoing it failed (%v), left undone: %s", msg, err, strings.Join(left, ", "))}
		case r < 0:
			left = append(left, s.what+": "+strerror(r))
		}
	}
	if len(left) > 0 {
		return &kindError{kind: ErrNotUndone, msg: msg + "; undoing it failed: " + strings.Join(left, ", ")}
	}
	return &kindError{kind: ErrFailed, msg: msg + "; nothing was changed"}
}

// strerror words a negative syscall result. The kernel's restart codes
// reach us only from a call we interrupted because it did not finish.
func strerror(r int64) string {
	switch {
	case isRestart(r):
		return "interrupted: it did not finish in time"
	case r == rvalTrapped:
		return "refused by its seccomp filter (SIGSYS, not delivered)"
	}
	return diag.Strerror(unix.Errno(-r))
}

// why is strerror(r) for a call that had to succeed. The errors a seccomp
// filter answers with (SECCOMP_RET_ERRNO: EPERM for Docker, systemd and
// nspawn, ENOSYS for unknown calls) are no proof that it did, so a filtered
// target's gets a "maybe".
func (t *tracee) why(r int64) string {
	if t.filtered && (r == -int64(unix.EPERM) || r == -int64(unix.ENOSYS)) {
		return strerror(r) + " (it runs under a seccomp filter, which may refuse the call)"
	}
	return strerror(r)
}

func sigName(sig syscall.Signal) string { return "SIG" + sigs.Name(sig) }

// u64 passes a signed argument (AT_FDCWD, fd -1) in a register.
func u64(v int64) uint64 { return uint64(v) }
