package detach

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/nohupx/nohupx/internal/applet"
	"github.com/nohupx/nohupx/internal/diag"
	"github.com/nohupx/nohupx/internal/exitcode"
	"github.com/nohupx/nohupx/internal/pidfile"
	"github.com/nohupx/nohupx/internal/quote"
	"github.com/nohupx/nohupx/internal/reexec"
	"github.com/nohupx/nohupx/logrot"
)

// TimedOut is the status when --ready's --timeout passes first, as for
// timeout(1).
const TimedOut = 124

// NotReady is the status when, with --ready, the command exits with
// status 0 before it reported READY=1: it never became ready, so detach
// must not say 0.
const NotReady = 1

// Run is the applet: args is the whole command line, args[0] included;
// stdio takes --help, --version, -p's pid and the messages; env is the
// command's environment. The command's own descriptors are /dev/null or
// the output file, never stdio. It returns detach's exit status: 0 once
// the command has been exec'd (or, with --ready, once it reported
// READY=1; with --wait, its own status), 125 for detach's own failures (a
// session stage it cannot wait for included, although the command may be
// running then), 126 or 127 when the command could not be run.
func Run(args []string, stdio applet.Stdio, env []string) int {
	prog := args[0]
	o, act, err := parse(prog, args[1:])
	switch act {
	case actHelp:
		return diag.WriteStatusTo(stdio.Err, prog, writeHelp(stdio.Out, prog), exitcode.Canceled)
	case actVersion:
		return diag.WriteStatusTo(stdio.Err, prog, writeVersion(stdio.Out), exitcode.Canceled)
	}
	if err != nil {
		diag.Usage(stdio.Err, prog, "%s", err)
		return exitcode.Canceled
	}
	code, err := run(o, stdio, env)
	if err != nil {
		_ = diag.Printf(stdio.Err, prog, "%s", err)
	}
	return code
}

// run detaches o.Command and returns Run's status and an error to print.
func run(o Options, stdio applet.Stdio, env []string) (int, error) {
	fail := func(err error) (int, error) { return exitcode.Canceled, err }
	unit := keepScope(o, stdio.Err) // first: what starts after it (relay, stage, command) inherits the scope

	fds, err := openStreams(o, stdio.Err)
	if err != nil {
		return fail(err)
	}
	defer fds.Close() // on a failure before announce

	var pending *pidfile.Pending
	if o.Pidfile != "" {
		if pending, err = pidfile.Prepare(o.Pidfile); err != nil {
			return fail(fmt.Errorf("pidfile %s: %w", quote.Shell(o.Pidfile), err))
		}
		// Until Commit, the directory is locked: any failure must abort.
		defer func() {
			if pending != nil {
				pending.Abort()
			}
		}()
	}

	cmdEnv, notify, err := commandEnv(o, env)
	if err != nil {
		return fail(err)
	}
	if notify != nil {
		defer notify.Close()
	}

	// The record is the caller's, in the caller's directory, whoever
	// --user makes the command: not in USER's HOME, where root would make
	// a directory of its own.
	recDir, warn := recordDir(o, env)
	if warn != "" {
		_ = diag.Printf(stdio.Err, o.Prog, "warning: %s", warn)
	}
	st, err := startStage(o, envs{command: cmdEnv, stage: env}, [3]*os.File{fds.null, fds.stdout, fds.stderr}, pending, recDir)
	if err != nil {
		return fail(err)
	}
	defer st.Close()

	pid, code, err := started(o, st, &pending)
	if err != nil {
		return code, err
	}
	err = announce(o, stdio, st, pid, recDir, unit, fds)
	// The session stage and the command have their own copies: ours would
	// keep a relay from seeing the end of the output while we wait
	// (--wait), and so the stage from running --on-exit.
	fds.Close()
	if err != nil {
		return fail(err)
	}
	switch {
	case o.Ready:
		return waitReady(o, st, notify, pid)
	case o.Wait:
		return waitExit(st)
	}
	return detached(st, pid, exitcode.OK, nil)
}

// started is the command's pid once the session stage has started it,
// with its pidfile, if pending, committed; else the exit status and why.
func started(o Options, st *stage, pending **pidfile.Pending) (pid, code int, err error) {
	pid, err = commandPid(st)
	if err != nil {
		var se *reexec.StageError
		if errors.As(err, &se) {
			return 0, se.Code, err
		}
		return 0, exitcode.Canceled, err
	}
	if p := *pending; p != nil {
		*pending = nil // committed or aborted here: not by run's deferral
		if err := commitPidfile(p, pid); err != nil {
			return 0, exitcode.Canceled, fmt.Errorf("pidfile %s: %w", quote.Shell(o.Pidfile), err)
		}
	}
	return pid, exitcode.OK, nil
}

// announce records the job in recDir, in the scope unit if it moved (a
// warning if it cannot: the job runs whatever happens to its record), and
// prints its pid if asked.
func announce(o Options, stdio applet.Stdio, st *stage, pid int, recDir, unit string, fds *streams) error {
	if recDir != "" {
		if _, err := record(o, recDir, unit, st, pid, fds); err != nil {
			_ = diag.Printf(stdio.Err, o.Prog, "warning: %s: %s", notRecorded(o), diag.Strerror(err))
		}
	}
	if o.PrintPid {
		if _, err := fmt.Fprintln(stdio.Out, pid); err != nil {
			return fmt.Errorf("write error: %s; the command runs, as pid %d", diag.Strerror(err), pid)
		}
	}
	return nil
}

// streams are the command's standard descriptors (steps 6 and 7 of the
// package doc), opened here, as the invoking user, before anything runs.
type streams struct {
	null, stdout, stderr *os.File
	outs                 []*logrot.Output // for the job record
	offset               int64            // where the job's output starts in the first
	closed               bool
}

func openStreams(o Options, msgs io.Writer) (*streams, error) {
	null, err := reexec.DevNull()
	if err != nil {
		return nil, err
	}
	s := &streams{null: null, stdout: null, stderr: null}
	if o.Output != "" {
		out, err := output(o.Output, o, msgs)
		if err != nil {
			s.Close()
			return nil, err
		}
		s.stdout, s.stderr = out.W, out.W
		s.outs = append(s.outs, out)
		if fi, err := out.File.Stat(); err == nil {
			s.offset = fi.Size() // before the job can write
		}
	}
	if o.Stderr != "" {
		out, err := output(o.Stderr, o, msgs)
		if err != nil {
			s.Close()
			return nil, err
		}
		s.stderr = out.W
		s.outs = append(s.outs, out)
	}
	return s, nil
}

// Close closes the caller's copies; only the first call does anything.
func (s *streams) Close() {
	if s.closed {
		return
	}
	s.closed = true
	s.null.Close()
	for _, out := range s.outs {
		out.Close()
	}
}

// commandEnv is the command's environment: --user's HOME, USER and
// LOGNAME, and with --ready the NOTIFY_SOCKET it is to write READY=1 to
// (the socket is returned, for the caller to close).
func commandEnv(o Options, env []string) ([]string, *notifySocket, error) {
	if o.User != nil {
		env = setEnv(env, "HOME", o.User.Home)
		env = setEnv(env, "USER", o.User.Name)
		env = setEnv(env, "LOGNAME", o.User.Name)
	}
	if !o.Ready {
		return env, nil, nil
	}
	notify, err := newNotifySocket(o.User)
	if err != nil {
		return nil, nil, fmt.Errorf("--ready: %w", err)
	}
	return setEnv(env, "NOTIFY_SOCKET", notify.Path), notify, nil
}

// commandPid reads the session stage's first word: the command's pid once
// it runs.
func commandPid(st *stage) (int, error) {
	kind, pid, err := st.next()
	if err != nil {
		return 0, err
	}
	if kind != "ok" {
		return 0, fmt.Errorf("the session stage said %q first", kind)
	}
	return pid, nil
}

// commitPidfile writes pid into the pidfile and lets go of the lock, which
// the session stage holds by now. A pidfile that cannot name the daemon is
// a failed start: the command is killed.
func commitPidfile(p *pidfile.Pending, pid int) error {
	err := p.Commit(pid)
	p.File().Close()
	if err != nil {
		syscall.Kill(pid, syscall.SIGKILL)
		return fmt.Errorf("%w (stopped the command, pid %d)", err, pid)
	}
	return nil
}

// detached returns code and err once the command is left on its own, after
// reaping the session stage. A stage that cannot be waited for is detach's
// own failure (125), although the command may be running: 0 must mean that
// nothing went wrong. A failure already reported (err) stays as it is.
func detached(st *stage, pid int, code int, err error) (int, error) {
	rerr := st.reap()
	if rerr == nil || err != nil {
		return code, err
	}
	return exitcode.Canceled, fmt.Errorf("cannot wait for the session stage (the command, pid %d, may be running): %w", pid, rerr)
}

// output opens FILE for the command's output as the invoking user: a
// rotating relay unless --no-rotate. Why it is not rotated goes to msgs.
func output(name string, o Options, msgs io.Writer) (*logrot.Output, error) {
	out, err := logrot.OpenOutput(name, o.Policy, !o.NoRotate)
	if err != nil {
		return nil, fmt.Errorf("cannot open %s: %s", quote.Shell(name), diag.Strerror(err))
	}
	if out.Note != "" {
		_ = diag.Printf(msgs, o.Prog, "warning: not rotating %s: %s; appending to it", quote.Shell(name), out.Note)
	}
	return out, nil
}

// waitExit is --wait: the command's status, 128+n for a signal.
func waitExit(st *stage) (int, error) {
	kind, ws, err := st.next()
	if err != nil {
		return exitcode.Canceled, err
	}
	if kind != "exit" {
		return exitcode.Canceled, fmt.Errorf("the session stage said %q", kind)
	}
	st.exited = true
	// With a pidfile, the stage removes it before it exits. --wait reports
	// the command's status, which is known whatever reaping says.
	_ = st.reap()
	return exitcode.FromWait(syscall.WaitStatus(ws)), nil
}

// waitReady is --ready: READY=1 on the notify socket, or the command's
// exit, or the timeout, whichever comes first; a READY=1 sent before the
// exit, or before the timeout is noticed, counts as first.
func waitReady(o Options, st *stage, notify *notifySocket, pid int) (int, error) {
	ready := make(chan error, 1)
	go func() { ready <- notify.WaitReady() }()
	exited := make(chan int, 1)
	go func() {
		kind, ws, err := st.next()
		if err != nil || kind != "exit" {
			exited <- -1
			return
		}
		exited <- ws
	}()
	var timeout <-chan time.Time
	if o.Timeout > 0 {
		timeout = time.After(o.Timeout)
	}
	// A datagram may have come with the exit, or at the timeout, and
	// either channel may be picked first: once the command has exited, or
	// the time is up, what is queued on the socket decides.
	settled := func() error {
		if notify.Settle() != nil {
			select { // cannot stop WaitReady: only what it has found
			case err := <-ready:
				return err
			default:
				return errNotReady
			}
		}
		return <-ready
	}
	var err error
	select {
	case err = <-ready:
	case ws := <-exited:
		if err = settled(); err == nil {
			break // ready before it exited
		}
		if ws < 0 {
			return exitcode.Canceled, errors.New("the session stage ended without reporting the command's exit")
		}
		code := exitcode.FromWait(syscall.WaitStatus(ws))
		exitErr := fmt.Errorf("%s (pid %d) exited with status %d before it reported READY=1",
			quote.Shell(o.Command[0]), pid, code)
		if code == exitcode.OK {
			// It ended cleanly but never became ready: not a success.
			code = NotReady
		}
		return code, exitErr
	case <-timeout:
		if err = settled(); err == nil {
			break // ready just in time
		}
		return detached(st, pid, TimedOut, fmt.Errorf("%s (pid %d) did not report READY=1 within %v; it is still running",
			quote.Shell(o.Command[0]), pid, o.Timeout))
	}
	if err != nil {
		return exitcode.Canceled, fmt.Errorf("--ready: %w", err)
	}
	return detached(st, pid, exitcode.OK, nil)
}

func setEnv(env []string, key, value string) []string {
	out := env[:0:0]
	for _, kv := range env {
		if len(kv) > len(key) && kv[:len(key)] == key && kv[len(key)] == '=' {
			continue
		}
		out = append(out, kv)
	}
	return append(out, key+"="+value)
}

// execFile is the file to execute for name. A relative path (./job,
// bin/job) means the caller's directory, as the user typed it there, not
// the daemon's (/ unless --chdir); a bare name is searched in PATH.
func execFile(name string) string {
	if !strings.Contains(name, "/") || filepath.IsAbs(name) {
		return name
	}
	if abs, err := filepath.Abs(name); err == nil {
		return abs
	}
	return name
}

// stage is the running session stage, seen from the caller.
type stage struct {
	proc    *os.Process
	status  *bufio.Reader
	statusF *os.File
	control *os.File // closing it lets the command go (with Stay)
	// holds: the stage holds the pidfile's lock and stays the command's
	// parent until the command exits; exited: it has.
	holds, exited bool
}

// envs are the command's environment (--user's HOME, NOTIFY_SOCKET) and
// the session stage's own, the caller's: the stage runs --on-exit as the
// caller, and must not do so in a HOME that --user's USER controls.
type envs struct{ command, stage []string }

// startStage forks the session stage with setsid (step 1). Its
// descriptors: 0–2 are the command's; the caller's inherited descriptors
// >= 3 follow at their own numbers with --keep-fds (and are otherwise made
// close-on-exec); then the request, status and control pipes and the
// pidfile lock.
func startStage(o Options, env envs, stdio [3]*os.File, pending *pidfile.Pending, recDir string) (*stage, error) {
	files := []*os.File{stdio[0], stdio[1], stdio[2]}
	if o.KeepFds {
		files = append(files, inheritedFiles()...)
	} else {
		// Step 5: the stage, and so the command, gets only what we pass.
		reexec.CloseOnExecFrom(3)
	}
	// Every file opened here is closed once, by one of two deferred
	// closes: the stage's ends and the request's write end (written by
	// then) whatever happens; statusR and controlW unless they are handed
	// on in the stage value.
	var always, unlessKept closers
	defer always.close()
	defer unlessKept.close()
	reqR, reqW, err := reexec.Pipe()
	if err != nil {
		return nil, err
	}
	always.add(reqR, reqW)
	statusR, statusW, err := reexec.Pipe()
	if err != nil {
		return nil, err
	}
	always.add(statusW)
	unlessKept.add(statusR)
	controlR, controlW, err := reexec.Pipe()
	if err != nil {
		return nil, err
	}
	always.add(controlR)
	unlessKept.add(controlW)

	at := func(f *os.File) int { files = append(files, f); return len(files) - 1 }
	req := request{
		Argv: o.Command, File: execFile(o.Command[0]), Env: env.command, Dir: o.Chdir, Umask: o.Umask, User: o.User,
		Stay: o.Wait || o.Ready, Record: recDir, OnExit: o.OnExit,
	}
	reqFd := at(reqR)
	req.Status = at(statusW)
	req.Control = at(controlR)
	req.Plumb = []int{reqFd, req.Status, req.Control}
	if pending != nil {
		// The stage holds the lock and removes the pidfile at the end;
		// in Plumb, so the command does not inherit either descriptor.
		dir, err := pending.Dir()
		if err != nil {
			return nil, fmt.Errorf("pidfile %s: %w", quote.Shell(o.Pidfile), err)
		}
		always.add(dir)
		req.Pidfile = &pidfileFds{Lock: at(pending.File()), Dir: at(dir), Name: pending.Name()}
		req.Plumb = append(req.Plumb, req.Pidfile.Lock, req.Pidfile.Dir)
	}

	proc, err := spawnStage(req, reqFd, reqW, files, env.stage)
	if err != nil {
		return nil, err
	}
	unlessKept = nil // the stage value owns them now
	return &stage{proc: proc, status: bufio.NewReader(statusR), statusF: statusR, control: controlW, holds: pending != nil || recDir != ""}, nil
}

// spawnStage starts the session stage with files as its descriptors and
// writes it req, which it reads from its descriptor reqFd (reqW's other
// end). A stage that cannot be told what to do is killed and reaped.
func spawnStage(req request, reqFd int, reqW *os.File, files []*os.File, env []string) (*os.Process, error) {
	proc, err := os.StartProcess(reexec.Exe(), []string{Stage, fmt.Sprint(reqFd)}, &os.ProcAttr{
		Env:   env,
		Files: files,
		// setsid: a new session and process group, no controlling
		// terminal. Never Pdeathsig: the daemon must outlive us.
		Sys: &syscall.SysProcAttr{Setsid: true},
	})
	if err != nil {
		return nil, fmt.Errorf("cannot start the session stage: %w", err)
	}
	if err := req.encode(reqW); err != nil {
		proc.Kill()
		proc.Wait()
		return nil, fmt.Errorf("cannot talk to the session stage: %w", err)
	}
	return proc, nil
}

// closers are files to close together when a function returns, whatever
// the way out: one deferred close instead of a list in each error branch.
type closers []*os.File

func (c *closers) add(f ...*os.File) { *c = append(*c, f...) }

func (c *closers) close() {
	for _, f := range *c {
		f.Close()
	}
	*c = nil
}

// next reads the next status line.
func (s *stage) next() (kind string, n int, err error) {
	line, _ := s.status.ReadString('\n')
	return reexec.ParseStatus(line)
}

// letGo closes the control pipe, which tells a staying stage to leave the
// command to init. Only the first call closes it.
func (s *stage) letGo() {
	if s.control != nil {
		s.control.Close()
		s.control = nil
	}
}

// reap lets the command go and waits for the stage, so that it leaves no
// zombie; but a stage that holds a pidfile for a command still running is
// left to run: it exits with the command, and init (our parent's
// subreaper, once we exit) collects it.
func (s *stage) reap() error {
	s.letGo()
	if s.holds && !s.exited {
		return s.proc.Release()
	}
	_, err := s.proc.Wait()
	return ignoreReaped(err)
}

// ignoreReaped drops the error of a process that was already reaped.
func ignoreReaped(err error) error {
	if err != nil && !errors.Is(err, os.ErrProcessDone) && !errors.Is(err, syscall.ECHILD) {
		return err
	}
	return nil
}

// Close closes the stage's pipes: for a failure before the command runs,
// when Run does not reap.
func (s *stage) Close() {
	s.statusF.Close()
	s.letGo()
}

// inheritedFiles are the descriptors >= 3 we were given without
// close-on-exec, in place (the slice is indexed by descriptor number),
// for --keep-fds.
func inheritedFiles() []*os.File {
	var files []*os.File
	for _, fd := range reexec.OpenFds() {
		flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
		if err != nil || flags&unix.FD_CLOEXEC != 0 || fd < 3 {
			continue
		}
		for len(files) < fd-3 {
			files = append(files, nil)
		}
		files = append(files, os.NewFile(uintptr(fd), fmt.Sprint("fd", fd)))
	}
	return files
}
