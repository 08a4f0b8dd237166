//go:build linux && (amd64 || arm64)

package inject

import (
	"encoding/binary"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/nohupx/nohupx/internal/diag"
	"github.com/nohupx/nohupx/internal/procfs"
	"github.com/nohupx/nohupx/internal/quote"
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
	case err == errGone:
		return 0, errGone
	}
	return 0, &kindError{kind: ErrNotUndone, msg: fmt.Sprintf("%s: %v; the process may be left half-changed", what, err)}
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
		case err == errGone:
			return errGone
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
	if isRestart(r) {
		return "interrupted: it did not finish in time"
	}
	return diag.Strerror(unix.Errno(-r))
}

func sigName(sig syscall.Signal) string { return "SIG" + sigs.Name(sig) }

// u64 passes a signed argument (AT_FDCWD, fd -1) in a register.
func u64(v int64) uint64 { return uint64(v) }

// inject makes the changes of w, each followed by its undo on the stack,
// in an order where every call that can fail comes before the first that
// cannot be taken back (the closes at the end).
func (t *tracee) inject(saved *regs, insn uint64, req Request, w work, res *Result) error {
	var out Output
	if len(w.out) > 0 {
		o, err := req.Output()
		if err != nil {
			return &kindError{kind: ErrFailed, msg: err.Error() + "; nothing was changed", cause: err}
		}
		out = o
	}
	sc := layout(w, out)
	u := &undoer{t: t, saved: saved, insn: insn}

	// A scratch page (mmap: anonymous, private, read-write).
	r, err := u.sys("mmap", unix.SYS_MMAP, 0, sc.size, unix.PROT_READ|unix.PROT_WRITE,
		unix.MAP_PRIVATE|unix.MAP_ANONYMOUS, u64(-1), 0)
	if err != nil {
		return err
	}
	if r < 0 && r > -4096 {
		return &kindError{kind: ErrFailed, msg: "mmap a scratch page in it: " + strerror(r) + "; nothing was changed"}
	}
	addr := uint64(r)
	u.push("unmap the scratch page", unix.SYS_MUNMAP, addr, sc.size)
	// MADV_DONTFORK: a child that another thread forks meanwhile does not
	// get a copy of the page, which nobody would ever unmap. Best effort.
	if _, err := u.sys("madvise", unix.SYS_MADVISE, addr, sc.size, unix.MADV_DONTFORK); err != nil {
		return err
	}
	if err := t.memWrite(addr, sc.data); err != nil {
		return u.fail(err.Error())
	}

	// Signals: query the action (rt_sigaction(sig, NULL, &old)), which
	// is the truth even if another thread changed it since plan read
	// /proc, then set SIG_IGN; the undo puts the old action back whole
	// (flags, mask and restorer included).
	var got Result
	for i, sig := range w.sigs {
		old := addr + sc.old[i]
		r, err := u.sys("rt_sigaction", unix.SYS_RT_SIGACTION, uint64(sig), 0, old, 8)
		if err != nil {
			return err
		}
		if r < 0 {
			return u.fail(fmt.Sprintf("rt_sigaction(%s) in it: %s", sigName(sig), strerror(r)))
		}
		var act [saSize]byte
		if err := t.memRead(old, act[:]); err != nil {
			return u.fail(err.Error())
		}
		switch h := binary.LittleEndian.Uint64(act[:8]); {
		case h == sigIgn:
			got.AlreadyIgnored = append(got.AlreadyIgnored, sig)
			continue
		case h != sigDfl && !req.Always:
			got.KeptHandler = append(got.KeptHandler, sig)
			continue
		case h != sigDfl:
			got.Replaced = append(got.Replaced, sig)
		default:
			got.Ignored = append(got.Ignored, sig)
		}
		r, err = u.sys("rt_sigaction", unix.SYS_RT_SIGACTION, uint64(sig), addr+sc.ign, 0, 8)
		if err != nil {
			return err
		}
		if r < 0 {
			return u.fail(fmt.Sprintf("rt_sigaction(%s, SIG_IGN) in it: %s", sigName(sig), strerror(r)))
		}
		u.push("restore the action of "+sigName(sig), unix.SYS_RT_SIGACTION, uint64(sig), old, 0, 8)
	}

	// The new files, opened by the target itself (close-on-exec while
	// they are temporary; never a controlling terminal). /dev/null is
	// write-only, as GNU nohup opens it: a read fails at once with EBADF.
	atFdcwd := int64(unix.AT_FDCWD)
	null, o := int64(-1), int64(-1)
	if w.stdin {
		null, err = u.sys("openat", unix.SYS_OPENAT, u64(atFdcwd), addr+sc.devnull,
			unix.O_WRONLY|unix.O_CLOEXEC|unix.O_NOCTTY, 0)
		if err != nil {
			return err
		}
		if null < 0 {
			return u.fail("open /dev/null in it: " + strerror(null))
		}
		u.push("close the new /dev/null", unix.SYS_CLOSE, uint64(null))
	}
	if len(w.out) > 0 {
		// First our own fd, reopened through /proc: the relay's pipe (or
		// the file nohupx opened). O_NONBLOCK so that a pipe whose relay
		// died fails with ENXIO instead of waiting for a reader; cleared
		// below. Only the owner (or root) may look into our /proc/PID/fd.
		var linkErr int64
		viaLink := false
		if sc.link != 0 {
			o, err = u.sys("openat", unix.SYS_OPENAT, u64(atFdcwd), addr+sc.link,
				unix.O_WRONLY|unix.O_APPEND|unix.O_CLOEXEC|unix.O_NOCTTY|unix.O_NONBLOCK, 0)
			if err != nil {
				return err
			}
			if o < 0 {
				linkErr = o
			} else {
				viaLink = true
			}
		}
		if o < 0 {
			if sc.path == 0 {
				return u.fail("open the output in it: " + strerror(linkErr))
			}
			st, _ := procfs.ReadStatus(t.pid)
			if out.Grant != nil {
				_ = out.Grant(st.UID[1], st.GID[1]) // if it fails, openat says why
			}
			// GNU nohup's mode: the output may hold secrets.
			o, err = u.sys("openat", unix.SYS_OPENAT, u64(atFdcwd), addr+sc.path,
				unix.O_WRONLY|unix.O_APPEND|unix.O_CREAT|unix.O_CLOEXEC|unix.O_NOCTTY|unix.O_NONBLOCK, 0o600)
			if err != nil {
				return err
			}
			if o < 0 {
				msg := fmt.Sprintf("open %s in it (it runs as uid %d): %s", quote.Shell(out.Path), st.UID[1], strerror(o))
				if o == -int64(unix.EACCES) && st.UID[1] != os.Geteuid() {
					msg += fmt.Sprintf(" (name an output file that uid %d may create or write)", st.UID[1])
				}
				return u.fail(msg)
			}
			if out.Rotated {
				got.NotRotated = fmt.Sprintf("it cannot reopen nohupx's pipe to the relay (%s), so it appends to the file itself", strerror(linkErr))
			}
		}
		got.Rotated = viaLink && out.Rotated
		u.push("close the new output", unix.SYS_CLOSE, uint64(o))
		// F_SETFL to O_APPEND alone: O_NONBLOCK off, so that a full pipe
		// blocks the writer as its terminal did, never fails with EAGAIN.
		r, err := u.sys("fcntl", unix.SYS_FCNTL, uint64(o), unix.F_SETFL, unix.O_APPEND)
		if err != nil {
			return err
		}
		if r < 0 {
			return u.fail("fcntl(F_SETFL) in it: " + strerror(r))
		}
	}

	// Keep a copy of each terminal fd (F_DUPFD_CLOEXEC), so that a dup3
	// that fails halfway can be taken back, then put the new files in
	// place with dup3, which replaces an fd atomically (no moment without
	// a stdout) and sets its close-on-exec flag as the old one had it.
	type swap struct {
		fd, src int
		save    int64
	}
	var swaps []swap
	if w.stdin {
		swaps = append(swaps, swap{fd: 0, src: int(null)})
	}
	for _, fd := range w.out {
		swaps = append(swaps, swap{fd: fd, src: int(o)})
	}
	for i := range swaps {
		s := &swaps[i]
		s.save, err = u.sys("fcntl", unix.SYS_FCNTL, uint64(s.fd), unix.F_DUPFD_CLOEXEC, 3)
		if err != nil {
			return err
		}
		if s.save < 0 {
			return u.fail(fmt.Sprintf("fcntl(%d, F_DUPFD_CLOEXEC) in it: %s", s.fd, strerror(s.save)))
		}
		u.push(fmt.Sprintf("close the copy of fd %d", s.fd), unix.SYS_CLOSE, uint64(s.save))
	}
	for _, s := range swaps {
		flags := uint64(0)
		if w.cloexec[s.fd] {
			flags = unix.O_CLOEXEC
		}
		r, err := u.sys("dup3", unix.SYS_DUP3, uint64(s.src), uint64(s.fd), flags)
		if err != nil {
			return err
		}
		if r < 0 {
			return u.fail(fmt.Sprintf("dup3(%d, %d) in it: %s", s.src, s.fd, strerror(r)))
		}
		u.push(fmt.Sprintf("put back fd %d", s.fd), unix.SYS_DUP3, uint64(s.save), uint64(s.fd), flags)
		if s.fd == 0 {
			got.Stdin = true
		} else {
			got.Redirected = append(got.Redirected, s.fd)
		}
	}

	// Committed: close what was temporary (the terminal copies, the new
	// files now in place) and unmap the page. None of it can fail in a way
	// that undoing would fix; a failure leaves an fd or a page behind and
	// is reported.
	var closes []int64
	for _, s := range swaps {
		closes = append(closes, s.save)
	}
	if null >= 0 {
		closes = append(closes, null)
	}
	if o >= 0 {
		closes = append(closes, o)
	}
	u.steps = nil
	var left []string
	for _, fd := range closes {
		r, err := u.sys("close", unix.SYS_CLOSE, uint64(fd))
		if err != nil {
			return err
		}
		if r < 0 && r != -int64(unix.EINTR) {
			left = append(left, fmt.Sprintf("fd %d (close: %s)", fd, strerror(r)))
		}
	}
	r, err = u.sys("munmap", unix.SYS_MUNMAP, addr, sc.size)
	if err != nil {
		return err
	}
	if r < 0 {
		left = append(left, fmt.Sprintf("a %d-byte scratch page at %#x (munmap: %s)", sc.size, addr, strerror(r)))
	}
	res.Ignored = append(res.Ignored, got.Ignored...)
	res.Replaced = append(res.Replaced, got.Replaced...)
	res.KeptHandler = append(res.KeptHandler, got.KeptHandler...)
	res.AlreadyIgnored = append(res.AlreadyIgnored, got.AlreadyIgnored...)
	res.Stdin, res.Redirected = got.Stdin, got.Redirected
	res.Rotated, res.NotRotated = got.Rotated, got.NotRotated
	res.Stopped = res.Stopped || t.groupStop
	if len(left) > 0 {
		return &kindError{kind: ErrNotUndone, msg: "the changes are made, but left behind in it: " + strings.Join(left, ", ")}
	}
	return nil
}
