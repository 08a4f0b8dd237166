//go:build linux && (amd64 || arm64)

package inject

import (
	"encoding/binary"
	"fmt"
	"os"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/nohupx/nohupx/internal/procfs"
	"github.com/nohupx/nohupx/internal/quote"
)

// injection is one run of step 4 of the package doc in a target: the
// phases below, in order, each call followed by its undo on u's stack.
// Every call that can fail comes before the first that cannot be taken
// back (the closes of commit).
type injection struct {
	u    *undoer
	req  Request
	w    work
	out  Output
	sc   scratch
	addr uint64 // the scratch page in the target

	null, o int64  // the new /dev/null and output fds in the target, or -1
	swaps   []swap // the terminal fds replaced, in order
	got     Result // what was done, copied to the caller's Result once committed
}

// swap is one terminal fd replaced by a new file.
type swap struct {
	fd, src int
	save    int64 // the copy of the terminal fd that dup3 can put back
}

// inject makes the changes of w in the target, then reports them in res.
func (t *tracee) inject(saved *regs, insn uint64, req Request, w work, res *Result) error {
	var out Output
	if len(w.out) > 0 {
		o, err := req.Output()
		if err != nil {
			return &kindError{kind: ErrFailed, msg: err.Error() + "; nothing was changed", cause: err}
		}
		out = o
	}
	j := &injection{u: &undoer{t: t, saved: saved, insn: insn}, req: req, w: w, out: out, sc: layout(w, out), null: -1, o: -1}
	for _, phase := range []func() error{j.mapScratch, j.ignoreSignals, j.openFiles, j.swapFds} {
		if err := phase(); err != nil {
			return err
		}
	}
	left, err := j.commit()
	if err != nil {
		return err
	}
	j.report(res)
	if len(left) > 0 {
		return &kindError{kind: ErrNotUndone, msg: "the changes are made, but left behind in it: " + strings.Join(left, ", ")}
	}
	return nil
}

// mapScratch maps the scratch page (mmap: anonymous, private, read-write)
// and writes the data the calls read into it.
func (j *injection) mapScratch() error {
	u, t := j.u, j.u.t
	// A user-space address is never negative on amd64 or arm64, so a
	// negative result is an errno.
	r, err := u.must("mmap", "mmap a scratch page", unix.SYS_MMAP, 0, j.sc.size, unix.PROT_READ|unix.PROT_WRITE,
		unix.MAP_PRIVATE|unix.MAP_ANONYMOUS, u64(-1), 0)
	if err != nil {
		return err
	}
	j.addr = uint64(r)
	u.push("unmap the scratch page", unix.SYS_MUNMAP, j.addr, j.sc.size)
	// MADV_DONTFORK: a child that another thread forks meanwhile does not
	// get a copy of the page, which nobody would ever unmap. Best effort.
	if _, err := u.sys("madvise", unix.SYS_MADVISE, j.addr, j.sc.size, unix.MADV_DONTFORK); err != nil {
		return err
	}
	if err := t.memWrite(j.addr, j.sc.data); err != nil {
		return u.fail(err.Error())
	}
	return nil
}

// ignoreSignals queries each signal's action (rt_sigaction(sig, NULL,
// &old)), which is the truth even if another thread changed it since plan
// read /proc, then sets SIG_IGN; the undo puts the old action back whole
// (flags, mask and restorer included).
func (j *injection) ignoreSignals() error {
	u, t := j.u, j.u.t
	for i, sig := range j.w.sigs {
		old := j.addr + j.sc.old[i]
		if _, err := u.must("rt_sigaction", fmt.Sprintf("rt_sigaction(%s)", sigName(sig)),
			unix.SYS_RT_SIGACTION, uint64(sig), 0, old, 8); err != nil {
			return err
		}
		var act [saSize]byte
		if err := t.memRead(old, act[:]); err != nil {
			return u.fail(err.Error())
		}
		switch h := binary.LittleEndian.Uint64(act[:8]); {
		case h == sigIgn:
			j.got.AlreadyIgnored = append(j.got.AlreadyIgnored, sig)
			continue
		case h != sigDfl && !j.req.Always:
			j.got.KeptHandler = append(j.got.KeptHandler, sig)
			continue
		case h != sigDfl:
			j.got.Replaced = append(j.got.Replaced, sig)
		default:
			j.got.Ignored = append(j.got.Ignored, sig)
		}
		if _, err := u.must("rt_sigaction", fmt.Sprintf("rt_sigaction(%s, SIG_IGN)", sigName(sig)),
			unix.SYS_RT_SIGACTION, uint64(sig), j.addr+j.sc.ign, 0, 8); err != nil {
			return err
		}
		u.push("restore the action of "+sigName(sig), unix.SYS_RT_SIGACTION, uint64(sig), old, 0, 8)
	}
	return nil
}

// openFiles opens the new files, by the target itself (close-on-exec
// while they are temporary; never a controlling terminal). /dev/null is
// write-only, as GNU nohup opens it: a read fails at once with EBADF.
func (j *injection) openFiles() error {
	u := j.u
	if j.w.stdin {
		null, err := u.must("openat", "open /dev/null", unix.SYS_OPENAT, u64(unix.AT_FDCWD), j.addr+j.sc.devnull,
			unix.O_WRONLY|unix.O_CLOEXEC|unix.O_NOCTTY, 0)
		if err != nil {
			return err
		}
		j.null = null
		u.push("close the new /dev/null", unix.SYS_CLOSE, uint64(null))
	}
	if len(j.w.out) == 0 {
		return nil
	}
	o, viaLink, err := j.openOutput()
	if err != nil {
		return err
	}
	j.o = o
	j.got.Rotated = viaLink && j.out.Rotated
	u.push("close the new output", unix.SYS_CLOSE, uint64(o))
	// F_SETFL to O_APPEND alone: O_NONBLOCK off, so that a full pipe
	// blocks the writer as its terminal did, never fails with EAGAIN.
	_, err = u.must("fcntl", "fcntl(F_SETFL)", unix.SYS_FCNTL, uint64(o), unix.F_SETFL, unix.O_APPEND)
	return err
}

// openOutput opens the output in the target: first our own fd, reopened
// through /proc (the relay's pipe, or the file nohupx opened), else the
// output file by its name. O_NONBLOCK so that a pipe whose relay died fails
// with ENXIO instead of waiting for a reader; openFiles clears it. Only the
// owner (or root) may look into our /proc/PID/fd.
func (j *injection) openOutput() (o int64, viaLink bool, err error) {
	u, out := j.u, j.out
	atFdcwd := u64(unix.AT_FDCWD)
	var linkErr int64
	if j.sc.link != 0 {
		o, err = u.sys("openat", unix.SYS_OPENAT, atFdcwd, j.addr+j.sc.link,
			unix.O_WRONLY|unix.O_APPEND|unix.O_CLOEXEC|unix.O_NOCTTY|unix.O_NONBLOCK, 0)
		if err != nil {
			return 0, false, err
		}
		if o >= 0 {
			return o, true, nil
		}
		linkErr = o
	}
	if j.sc.path == 0 {
		return 0, false, u.fail("open the output in it: " + strerror(linkErr))
	}
	st, _ := procfs.ReadStatus(u.t.pid)
	if out.Grant != nil {
		_ = out.Grant(st.UID[1], st.GID[1]) // if it fails, openat says why
	}
	// GNU nohup's mode: the output may hold secrets.
	o, err = u.sys("openat", unix.SYS_OPENAT, atFdcwd, j.addr+j.sc.path,
		unix.O_WRONLY|unix.O_APPEND|unix.O_CREAT|unix.O_CLOEXEC|unix.O_NOCTTY|unix.O_NONBLOCK, 0o600)
	if err != nil {
		return 0, false, err
	}
	if o < 0 {
		msg := fmt.Sprintf("open %s in it (it runs as uid %d): %s", quote.Shell(out.Path), st.UID[1], strerror(o))
		if o == -int64(unix.EACCES) && st.UID[1] != os.Geteuid() {
			msg += fmt.Sprintf(" (name an output file that uid %d may create or write)", st.UID[1])
		}
		return 0, false, u.fail(msg)
	}
	if out.Rotated {
		j.got.NotRotated = fmt.Sprintf("it cannot reopen nohupx's pipe to the relay (%s), so it appends to the file itself", strerror(linkErr))
	}
	return o, false, nil
}

// swapFds keeps a copy of each terminal fd (F_DUPFD_CLOEXEC), so that a
// dup3 that fails halfway can be taken back, then puts the new files in
// place with dup3, which replaces an fd atomically (no moment without a
// stdout) and sets its close-on-exec flag as the old one had it.
func (j *injection) swapFds() error {
	u := j.u
	if j.w.stdin {
		j.swaps = append(j.swaps, swap{fd: 0, src: int(j.null)})
	}
	for _, fd := range j.w.out {
		j.swaps = append(j.swaps, swap{fd: fd, src: int(j.o)})
	}
	for i := range j.swaps {
		s := &j.swaps[i]
		save, err := u.must("fcntl", fmt.Sprintf("fcntl(%d, F_DUPFD_CLOEXEC)", s.fd), unix.SYS_FCNTL, uint64(s.fd), unix.F_DUPFD_CLOEXEC, 3)
		if err != nil {
			return err
		}
		s.save = save
		u.push(fmt.Sprintf("close the copy of fd %d", s.fd), unix.SYS_CLOSE, uint64(s.save))
	}
	for _, s := range j.swaps {
		flags := uint64(0)
		if j.w.cloexec[s.fd] {
			flags = unix.O_CLOEXEC
		}
		if _, err := u.must("dup3", fmt.Sprintf("dup3(%d, %d)", s.src, s.fd), unix.SYS_DUP3, uint64(s.src), uint64(s.fd), flags); err != nil {
			return err
		}
		u.push(fmt.Sprintf("put back fd %d", s.fd), unix.SYS_DUP3, uint64(s.save), uint64(s.fd), flags)
		if s.fd == 0 {
			j.got.Stdin = true
		} else {
			j.got.Redirected = append(j.got.Redirected, s.fd)
		}
	}
	return nil
}

// commit closes what was temporary (the terminal copies, the new files now
// in place) and unmaps the page. None of it can fail in a way that undoing
// would fix; what a failure leaves behind is returned, to be reported.
func (j *injection) commit() (left []string, err error) {
	u := j.u
	var closes []int64
	for _, s := range j.swaps {
		closes = append(closes, s.save)
	}
	if j.null >= 0 {
		closes = append(closes, j.null)
	}
	if j.o >= 0 {
		closes = append(closes, j.o)
	}
	u.steps = nil
	for _, fd := range closes {
		r, err := u.sys("close", unix.SYS_CLOSE, uint64(fd))
		if err != nil {
			return nil, err
		}
		if r < 0 && r != -int64(unix.EINTR) {
			left = append(left, fmt.Sprintf("fd %d (close: %s)", fd, strerror(r)))
		}
	}
	r, err := u.sys("munmap", unix.SYS_MUNMAP, j.addr, j.sc.size)
	if err != nil {
		return nil, err
	}
	if r < 0 {
		left = append(left, fmt.Sprintf("a %d-byte scratch page at %#x (munmap: %s)", j.sc.size, j.addr, strerror(r)))
	}
	return left, nil
}

// report adds what was done to res.
func (j *injection) report(res *Result) {
	got := j.got
	res.Ignored = append(res.Ignored, got.Ignored...)
	res.Replaced = append(res.Replaced, got.Replaced...)
	res.KeptHandler = append(res.KeptHandler, got.KeptHandler...)
	res.AlreadyIgnored = append(res.AlreadyIgnored, got.AlreadyIgnored...)
	res.Stdin, res.Redirected = got.Stdin, got.Redirected
	res.Rotated, res.NotRotated = got.Rotated, got.NotRotated
	res.Stopped = res.Stopped || j.u.t.groupStop
}
