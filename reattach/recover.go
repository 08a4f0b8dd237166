package reattach

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/nohupx/nohupx/internal/quote"
	"github.com/nohupx/nohupx/internal/safedir"
)

// Result is what happened to one server.
type Result struct {
	Server
	Before  Status
	After   Status
	Actions []string // what was done, or with --dry-run would be
	Err     error    // why the server is not reachable at the end
	Elapsed time.Duration
}

// OK reports whether the server is reachable at the end.
func (r Result) OK() bool { return r.After.State == Reachable }

// EmacsHandler is the Emacs Lisp that makes Emacs rebind its server socket
// on SIGUSR1 while keeping its attached clients; by default Emacs binds
// sigusr1 to ignore.
const EmacsHandler = `(define-key special-event-map [sigusr1] (lambda () (interactive) (let ((server-clients nil)) (server-start nil t))))`

var errEmacsHandler = errors.New("Emacs rebinds its socket only if you gave it a SIGUSR1 handler; " +
	"add this line to your init file (or evaluate it now with M-:), then run reattach-sock --emacs-signal:\n  " +
	EmacsHandler + "\nor run M-x server-start in that Emacs")

var errDtach = errors.New("dtach has no way to bind its socket again; the session cannot be reached until it ends")

// recoverer brings servers back. Its zero value is not usable: sys is
// required.
type recoverer struct {
	sys         system
	dryRun      bool
	emacsSignal bool
	timeout     time.Duration // for the lock and for the verification
	// dirCreated, when set, is told about each directory made, before the
	// server is signalled (--watch locks and watches it).
	dirCreated func(dir string)
}

// recover inspects s and, if a signal can bring it back, does what that
// takes, in the order that is safe for each program.
func (r *recoverer) recover(s Server) (res Result) {
	t0 := time.Now()
	res = Result{Server: s, Before: inspect(r.sys, s)}
	res.After = res.Before
	defer func() { res.Elapsed = time.Since(t0) }()
	switch {
	case res.Before.State == Reachable || res.Before.State == Gone:
		return res
	case !res.Before.State.Recoverable():
		res.Err = errors.New("left alone")
		return res
	case s.Kind == Dtach:
		res.Err = errDtach
		return res
	case s.Kind == Emacs && !r.emacsSignal:
		res.Err = errEmacsHandler
		return res
	}
	if r.dryRun {
		res.Actions = r.plan(s, res.Before)
		return res
	}

	p, err := r.hold(s, &res)
	if err != nil {
		res.Err, res.After = err, inspect(r.sys, s)
		return res
	}
	defer p.release()

	// 3. The check that counts, made under the lock: nobody may be
	// listening on the path now.
	st := inspect(r.sys, s)
	if !st.State.Recoverable() {
		res.After = st
		if st.State != Reachable {
			res.Err = errors.New("left alone")
		}
		return res
	}
	if st.State == Stale && s.Kind != Tmux {
		// tmux unlinks the path itself on SIGUSR1; screen would keep
		// seeing the stale file and do nothing.
		if err := removeStale(p.dirfd, s.Path); err != nil {
			res.Err, res.After = err, st
			return res
		}
		res.Actions = append(res.Actions, "removed stale "+quote.Shell(s.Path))
	}

	r.signal(s, st, &res)
	return res
}

// hold is steps 1 and 2. The directory first: a screen server signalled
// while it is missing ends the whole session, and a tmux server's bind
// fails silently. Then pin it until the verification, and for tmux hold
// <socket>.lock, so that a racing "tmux new" waits for us instead of
// starting a server whose path the signal would then steal.
func (r *recoverer) hold(s Server, res *Result) (p *pin, err error) {
	for attempt := 0; ; attempt++ {
		var created []safedir.Made
		created, err = ensureDir(s.Dir(), safedir.Mode{UID: s.UID, GID: s.GID, Perm: 0o700}, sharedDirs(s))
		for _, d := range created {
			res.Actions = append(res.Actions, fmt.Sprintf("created %s (%04o)", quote.Shell(d.Path), d.Perm))
			if r.dirCreated != nil {
				r.dirCreated(d.Path)
			}
		}
		if err == nil {
			p, err = pinDir(s, pinName(s))
		}
		if err != errVanished || attempt == 3 {
			break
		}
	}
	if err == nil && s.Kind == Tmux {
		if err = lockTmux(p, s.Path+".lock", r.timeout); err != nil {
			p.release()
		}
	}
	return p, err
}

// signal is steps 4 and 5: the signal, then the proof that a client can
// connect and that the file on disk is this server's. st is what the
// check under the lock saw.
func (r *recoverer) signal(s Server, st Status, res *Result) {
	sig := signalOf(s.Kind)
	if catches, known := r.sys.Catches(s.PID, sig); known && !catches && sig != unix.SIGCHLD {
		// Still starting, or not the server: the default action of
		// SIGUSR1 would kill it.
		res.Err, res.After = fmt.Errorf("pid %d does not handle %s (yet): sending it would kill the process", s.PID, unix.SignalName(sig)), st
		return
	}
	if err := unix.Kill(s.PID, sig); err != nil {
		res.Err, res.After = fmt.Errorf("kill -%s %d: %w", unix.SignalName(sig)[3:], s.PID, err), st
		return
	}
	res.Actions = append(res.Actions, fmt.Sprintf("sent %s", unix.SignalName(sig)))
	res.Server, res.After = r.verify(s)
	if res.After.State != Reachable {
		res.Err = errors.New("not recovered")
		if s.Kind == Emacs {
			res.Err = fmt.Errorf("no answer: %w", errEmacsHandler)
		}
	}
}

// verify waits, up to the timeout, for s to answer on its path with a
// socket file proved to be its own, and returns s with its new identity.
func (r *recoverer) verify(s Server) (Server, Status) {
	deadline := time.Now().Add(r.timeout)
	wait := 200 * time.Microsecond
	for {
		if !mayProbe(s) || probePath(s.Path) == nil {
			if ns, ok := r.sys.Refresh(s); ok {
				if st := inspect(r.sys, ns); st.State == Reachable || st.State == Taken {
					return ns, st
				}
			}
		}
		if time.Now().After(deadline) {
			st := inspect(r.sys, s)
			if st.State != Reachable {
				st.Reason = fmt.Sprintf("no answer within %v after the signal (%s)", r.timeout, st)
				st.State = Unreachable
			}
			return s, st
		}
		time.Sleep(wait)
		wait = min(2*wait, 20*time.Millisecond)
	}
}

// plan says what recover would do, for --dry-run.
func (r *recoverer) plan(s Server, st Status) []string {
	var p []string
	if st.State == DirDeleted {
		p = append(p, fmt.Sprintf("would create %s (0700, owned by %s)", quote.Shell(s.Dir()), s.User))
	}
	if s.Kind == Tmux {
		p = append(p, "would lock "+quote.Shell(s.Path+".lock"))
	} else if st.State == Stale {
		p = append(p, "would remove stale "+quote.Shell(s.Path))
	}
	return append(p, fmt.Sprintf("would send %s to pid %d", unix.SignalName(signalOf(s.Kind)), s.PID))
}

func signalOf(k Kind) unix.Signal {
	if k == Screen {
		// screen re-checks its socket when a child exits.
		return unix.SIGCHLD
	}
	return unix.SIGUSR1
}

// probePath probes s.Path as whatever it is now: a FIFO or a socket.
func probePath(path string) error {
	var st unix.Stat_t
	if err := unix.Lstat(path, &st); err != nil {
		return err
	}
	return probe(path, st.Mode&unix.S_IFMT == unix.S_IFIFO)
}

// removeStale unlinks a socket or FIFO nobody listens on, in the pinned
// directory dirfd, which was checked to be the server user's: by path, a
// link of that user's above it could be switched between the probe and
// the unlink, to have another user's live socket removed. The probe is by
// path (connect(2) has no at-form): at worst it misjudges a file in that
// user's own directory.
func removeStale(dirfd int, path string) error {
	name := filepath.Base(path)
	var st unix.Stat_t
	if err := unix.Fstatat(dirfd, name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return err
	}
	t := st.Mode & unix.S_IFMT
	if t != unix.S_IFSOCK && t != unix.S_IFIFO {
		return fmt.Errorf("%s is not a socket; not removing it", quote.Shell(path))
	}
	// Probing a file nobody listens on is harmless; if someone does, it
	// is not stale.
	if err := probe(path, t == unix.S_IFIFO); err == nil {
		return fmt.Errorf("%s answers now; not removing it", quote.Shell(path))
	}
	return unix.Unlinkat(dirfd, name, 0)
}

// describe is the one-line account of a result for the terminal. With a
// deletion time (--watch), the delay is counted from the deletion.
func describe(res Result, deleted time.Time) string {
	var b strings.Builder
	b.WriteString(res.Server.String() + ": ")
	switch {
	case res.Before.State == Reachable:
		b.WriteString("reachable")
	case len(res.Actions) > 0:
		fmt.Fprintf(&b, "%s; %s", res.Before.State, strings.Join(res.Actions, ", "))
		switch {
		case res.OK() && !deleted.IsZero():
			fmt.Fprintf(&b, "; reachable again %s after the deletion", ms(time.Since(deleted)))
		case res.OK():
			fmt.Fprintf(&b, "; reachable again (%s)", ms(res.Elapsed))
		}
	default:
		b.WriteString(res.Before.String())
	}
	if res.Err != nil {
		fmt.Fprintf(&b, "; %s", res.Err)
		if res.After.State != res.Before.State || len(res.Actions) > 0 {
			fmt.Fprintf(&b, " (%s)", res.After)
		}
	}
	return b.String()
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }
