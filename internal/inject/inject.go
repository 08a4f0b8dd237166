// Package inject makes a running process immune to the end of its session,
// from outside, the way Solaris `nohup -p` and reptyr do it: it stops one
// thread of the process with ptrace, has that thread execute a few system
// calls on the process's behalf, puts every register back and lets go.
//
// Synopsis:
//
//	res, err := inject.Apply(pid, inject.Request{
//		Ignore: []syscall.Signal{syscall.SIGHUP},
//		Output: func() (inject.Output, error) { ... }, // only called if needed
//	})
//
// What changes in the target, and nothing else:
//   - each signal in Request.Ignore is set to SIG_IGN with rt_sigaction,
//     unless the program installed a handler for it itself (then only with
//     Request.Always) or already ignores it;
//   - fd 0, if it is a terminal, is replaced in place by /dev/null opened
//     write-only (GNU nohup's choice: a read fails at once with EBADF);
//   - fds 1 and 2, where they are terminals, are replaced in place by the
//     output (openat + dup3, keeping each fd's close-on-exec flag).
//
// Dispositions and the fd table belong to the whole process, so one thread
// of a multi-threaded process (Go, JVM) is enough; the others keep running.
// A stopped process stays stopped unless Request.Continue.
//
// The mechanism, in order (inject_linux.go has the reasons):
//  1. PTRACE_SEIZE the thread, PTRACE_INTERRUPT it, wait for the stop.
//  2. If it was in a system call the kernel is going to restart, let the
//     kernel restart it and take the thread at the restarted call's
//     entry: the state to restore is then "about to execute that syscall".
//  3. Find a syscall instruction the process already has: the one just
//     executed, or one in the vDSO, or in any executable mapping.
//  4. Run, with the saved registers except the syscall ones, these phases
//     (one function each in phases_linux.go):
//     mapScratch: mmap (and madvise) a scratch page for the data the calls
//     read and write; ignoreSignals: rt_sigaction; openFiles: openat and
//     fcntl; swapFds: fcntl (F_DUPFD_CLOEXEC) and dup3; commit: close and
//     munmap. Every step that can fail comes before every step that cannot
//     be undone, and each has its undo: on a failure the undos run in
//     reverse.
//  5. Put back every register and detach.
//
// Errors are classified for the caller's exit status: ErrNoProcess,
// ErrTraced, ErrPermission (a *PermissionError says why), ErrUnsupported,
// ErrFailed (the target was left as it was) and ErrNotUndone.
package inject

import (
	"errors"
	"fmt"
	"slices"
	"syscall"
	"time"
)

// Request is what to change in one process.
type Request struct {
	// Ignore lists the signals to set to SIG_IGN.
	Ignore []syscall.Signal
	// Always replaces a handler the program installed for a signal in
	// Ignore; without it such a handler is left alone (Solaris nohup -a).
	Always bool
	// Output is called, at most once per target and only when fd 1 or 2
	// of the target is a terminal, for where the output goes.
	Output func() (Output, error)
	// IgnoreIfStopped lists more signals to set to SIG_IGN in a target
	// that is stopped when it is taken (as Ignore; reported in
	// Result.ForStopped). bash sends SIGTERM to its stopped jobs when it
	// exits or its terminal hangs up, so a stopped job that only ignores
	// SIGHUP dies all the same.
	IgnoreIfStopped []syscall.Signal
	// Continue sends SIGCONT to a stopped target once it is changed.
	Continue bool
	// Timeout bounds each wait for the target; 0 means 10 s.
	Timeout time.Duration
}

// Output is where a target's terminal stdout and stderr go.
type Output struct {
	// Fd, if not -1, is an fd of this process that the target reopens as
	// /proc/<our pid>/fd/<Fd>: the write end of a rotating relay's pipe,
	// or the output file. That only works when the target may look into
	// this process (the same uid; root cannot lend a user process its fds).
	Fd int
	// Path is the absolute name of the output file, which the target
	// opens itself (O_APPEND|O_CREAT, 0600) when it cannot reopen Fd.
	Path string
	// Rotated says that Fd is a relay's pipe rather than the file.
	Rotated bool
	// Grant, if set, is called before a target opens Path itself, with
	// the target's effective uid and gid, so that it may: nohupx run as
	// root gives a file it has just created to the target's owner.
	Grant func(uid, gid int) error
}

// Result says what was changed in a target.
type Result struct {
	Pid  int
	Comm string // the process's name, from /proc/PID/status
	// ThreadOf is set when the pid given was a thread of process Pid.
	ThreadOf int

	Ignored        []syscall.Signal // were SIG_DFL, now SIG_IGN
	Replaced       []syscall.Signal // had the program's handler, now SIG_IGN (Always)
	KeptHandler    []syscall.Signal // have the program's handler, left alone
	AlreadyIgnored []syscall.Signal

	Stdin      bool  // fd 0 was a terminal and is now /dev/null
	Redirected []int // fds (1, 2) that were terminals and now go to the output
	Rotated    bool  // ... through the relay's pipe
	// NotRotated, when Redirected is set but not Rotated although the
	// output was a relay, says why the target writes the file directly.
	NotRotated string

	Stopped bool // the process was stopped (^Z) and is still, unless Continued
	// ForStopped are the signals of Request.IgnoreIfStopped that were
	// added to Request.Ignore because the process was stopped.
	ForStopped []syscall.Signal
	Continued  bool
	Threads    int // how many threads the process had

	// For tests: where the thread was taken ("stop", or "entry" of a
	// restarted system call) and where the borrowed syscall instruction
	// was found ("entry", "pc", "vdso", "mapping").
	takenAt, insnFrom string
	passed            int // signals passed on while the thread was held
}

// forStopped is req for a target that is stopped: IgnoreIfStopped joins
// Ignore. It also returns the signals it added.
func (req Request) forStopped() (Request, []syscall.Signal) {
	var added []syscall.Signal
	ignore := append([]syscall.Signal(nil), req.Ignore...)
	for _, sig := range req.IgnoreIfStopped {
		if !slices.Contains(ignore, sig) {
			ignore = append(ignore, sig)
			added = append(added, sig)
		}
	}
	req.Ignore = ignore
	return req, added
}

// Changed reports whether anything was changed in the target.
func (r Result) Changed() bool {
	return len(r.Ignored)+len(r.Replaced)+len(r.Redirected) > 0 || r.Stdin || r.Continued
}

var (
	// ErrNoProcess: the process does not exist, is a zombie, or exited
	// while it was being changed.
	ErrNoProcess = errors.New("no such process")
	// ErrTraced: another tracer (a debugger, strace) already traces it.
	ErrTraced = errors.New("already traced")
	// ErrPermission: the kernel does not let this process trace it; the
	// error is a *PermissionError that says why.
	ErrPermission = errors.New("not permitted")
	// ErrUnsupported: not on this OS, architecture or kind of process.
	ErrUnsupported = errors.ErrUnsupported
	// ErrFailed: a step failed inside the target and everything done
	// before it was undone: the target is as it was.
	ErrFailed = errors.New("failed")
	// ErrNotUndone: a step failed and undoing the earlier ones failed too,
	// or the target could not be let go cleanly: the message says what
	// is left.
	ErrNotUndone = errors.New("failed and could not be undone")
)

// PermissionError is ErrPermission with the reasons the kernel refused.
type PermissionError struct {
	Why string // what stands in the way, and how to proceed
}

func (e *PermissionError) Error() string { return "not permitted: " + e.Why }
func (e *PermissionError) Is(target error) bool {
	return target == ErrPermission
}

// kindError is one of the errors above with what happened. Its text starts
// with the kind ("no such process", "failed", ...).
type kindError struct {
	kind  error
	msg   string
	cause error
}

// lead is the start of a kindError's text. A switch, not a map: a map
// variable would be built at start-up by every applet of the binary.
func lead(kind error) string {
	switch kind {
	case ErrNoProcess:
		return "no such process"
	case ErrTraced:
		return "already traced"
	case ErrUnsupported:
		return "not supported"
	case ErrFailed:
		return "failed"
	case ErrNotUndone:
		return "failed and not undone"
	}
	return ""
}

func (e *kindError) Error() string {
	if e.msg == "" {
		return lead(e.kind)
	}
	return lead(e.kind) + ": " + e.msg
}
func (e *kindError) Is(target error) bool { return target == e.kind }
func (e *kindError) Unwrap() error        { return e.cause }

func errorf(kind error, format string, a ...any) error {
	return &kindError{kind: kind, msg: fmt.Sprintf(format, a...)}
}

// detail is err's text without its kind.
func detail(err error) string {
	if e, ok := err.(*kindError); ok {
		return e.msg
	}
	return err.Error()
}

const defaultTimeout = 10 * time.Second
