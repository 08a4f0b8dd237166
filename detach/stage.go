package detach

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/nohupx/nohupx/internal/diag"
	"github.com/nohupx/nohupx/internal/entry"
	"github.com/nohupx/nohupx/internal/exitcode"
	"github.com/nohupx/nohupx/internal/pathsearch"
	"github.com/nohupx/nohupx/internal/pidfile"
	"github.com/nohupx/nohupx/internal/quote"
	"github.com/nohupx/nohupx/internal/reexec"
	"github.com/nohupx/nohupx/internal/sigs"
)

// Stage is the argv[0] the caller re-executes this binary with.
const Stage = "nohupx:detach"

func init() { reexec.Register(Stage, StageMain) }

// StageMain is the session stage, steps 2 to 8 of the daemon sequence. The
// caller forked it with setsid(2) (step 1), so it leads a new session with
// no controlling terminal. It starts the command as its child, so that
// the command is never a session leader and can never acquire a terminal
// (POSIX: only a session leader does, by opening one), reports the pid on
// the status pipe, and exits, leaving the command to init (or the nearest
// subreaper). With Stay it remains the command's parent until the caller
// lets go, to report the exit status; with a job record (the default) it
// stays until the command exits, to append its status to the record.
//
// With a pidfile it stays the command's parent until the command exits,
// whatever the caller does: it holds the pidfile's lock, which the command
// does not inherit, so the lock lives exactly as long as the command (a
// lock the command held would pass to its children, and outlive it), and
// only the parent learns (by wait) that the command has exited, so only it
// can remove the pidfile then.
//
// It is kept tiny: no option parser, the request comes over an inherited
// pipe, and one status line goes back.
func StageMain() int {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "nohupx: the detach stage is started by detach, not by hand")
		return exitcode.Canceled
	}
	reqFd, err := strconv.Atoi(os.Args[1])
	if err != nil {
		return exitcode.Canceled
	}
	req, err := decodeRequest(os.NewFile(uintptr(reqFd), "request"))
	if err != nil {
		return exitcode.Canceled
	}
	status := os.NewFile(uintptr(req.Status), "status")
	// Our pipes must not reach the command: it would keep the caller
	// waiting for an EOF that never comes.
	for _, fd := range req.Plumb {
		unix.CloseOnExec(fd)
	}
	pid, err := start(req)
	if err != nil {
		code := exitcode.Canceled
		var se *reexec.StageError
		if errors.As(err, &se) {
			code = se.Code
		}
		io.WriteString(status, reexec.Error(code, err))
		return 1
	}
	io.WriteString(status, reexec.OK(pid))
	return stayWith(req, pid, status)
}

// stayWith is the stage once the command runs: it leaves at once unless
// the caller waits for the command's status (Stay) or the stage holds the
// pidfile's lock or the job record. Then it waits for the command and
// reports its status if asked, waits for the caller to be done with the
// pidfile and the record, removes the pidfile and records the end.
func stayWith(req request, pid int, status *os.File) int {
	holds := req.Pidfile != nil || req.Record != ""
	if !req.Stay && !holds {
		return 0
	}
	releaseOutput()
	callerDone := make(chan string, 1)
	go func() {
		// EOF: the caller has what it wanted (READY=1), has committed
		// the pidfile and written the record, or is gone. With nothing
		// to hold, the command goes on as init's child. Before EOF the
		// caller sends the job's id, if it recorded one.
		id, _ := io.ReadAll(io.LimitReader(os.NewFile(uintptr(req.Control), "control"), 256))
		if !holds {
			os.Exit(0)
		}
		callerDone <- strings.TrimSpace(string(id))
	}()
	ws, werr := waitChild(pid)
	if req.Stay {
		line := reexec.Exit(int(ws))
		if werr != nil {
			line = reexec.Error(exitcode.Canceled, werr)
		}
		io.WriteString(status, line) // EPIPE if the caller let go: no matter
	}
	// The caller renames the pidfile into place and writes the record
	// after our "ok": wait until it is done, or a command that exits at
	// once would leave a pidfile put there after we looked.
	id := <-callerDone
	if pf := req.Pidfile; pf != nil {
		dir := os.NewFile(uintptr(pf.Dir), "pidfile directory")
		pidfile.RemoveIfSame(dir, pf.Name, os.NewFile(uintptr(pf.Lock), "pidfile"))
	}
	// A status we could not learn is not recorded: the record then
	// says "unknown" rather than a made-up exit 0.
	if req.Record != "" && id != "" && werr == nil {
		recordEnd(req.Record, id, ws, req.OnExit)
	}
	return 0
}

// releaseOutput points our own standard output and error at /dev/null
// once the command has its copies. A relay writes the job's output to disk
// until every writer of its pipe has closed it: a stage that kept a copy
// while it waits for the command, and then for that output to be on disk
// before --on-exit, would wait for itself. /dev/null, not closed
// descriptors: nothing we might write lands in the job's output, or in
// whatever file is opened next as fd 1 or 2, and nothing raises SIGPIPE.
// Descriptor 0 is the caller's /dev/null, opened for reading and writing.
func releaseOutput() {
	for _, fd := range []int{1, 2} {
		if unix.Dup2(0, fd) != nil {
			unix.Close(fd) // still better than holding the pipe
		}
	}
}

// waitChild waits for the command and returns its wait status. An error
// other than EINTR (ECHILD: someone else reaped it) means the status is
// lost, and is returned as such.
func waitChild(pid int) (syscall.WaitStatus, error) {
	var ws syscall.WaitStatus
	for {
		_, err := syscall.Wait4(pid, &ws, 0, nil)
		switch {
		case err == nil:
			return ws, nil
		case !errors.Is(err, syscall.EINTR):
			return 0, fmt.Errorf("waiting for pid %d: %w; its exit status is lost", pid, err)
		}
	}
}

// holdOn makes the stage outlive the signals that may reach the command's
// process group, which it leads (kill -TERM -PGID, and nohupx --kill):
// the pidfile's lock must not be let go while the command lives, and the
// command's status must reach the job record. It catches them, rather than
// ignoring them, so that the command, which the stage forks next, starts
// with them at their default: execve(2) resets a caught signal, but keeps
// an ignored one ignored. SIGKILL cannot be caught.
func holdOn() {
	signal.Notify(make(chan os.Signal, 1), syscall.SIGTERM, syscall.SIGINT, syscall.SIGQUIT,
		syscall.SIGUSR1, syscall.SIGUSR2, syscall.SIGALRM, syscall.SIGPIPE)
}

// keptIgnores are the signals whose inherited SIG_IGN the Go runtime
// leaves in place, and so passes on to a child: HUP and INT (which it
// reports to signal.Ignored), the job-control signals CONT, TSTP, TTIN and
// TTOU (which it does not touch before signal.Notify asks for them, nor
// record), and 32 and 34 on Linux (which it never handles). It takes over
// every other signal, and a fork resets what it catches.
var keptIgnores = sigs.Mask(syscall.SIGHUP) | sigs.Mask(syscall.SIGINT) | sigs.Mask(syscall.SIGCONT) |
	sigs.Mask(syscall.SIGTSTP) | sigs.Mask(syscall.SIGTTIN) | sigs.Mask(syscall.SIGTTOU) | sigs.Mask(32) | sigs.Mask(34)

// resetIgnores makes every signal ignored when the stage started but
// SIGHUP reach the command at its default, whatever the caller had ignored
// (a non-interactive shell ignores INT and QUIT for `cmd &`, say).
// execve(2) keeps an ignored signal ignored but resets a caught one, so
// each is caught here, as the runtime catches the others already; 32 and
// 34, which the runtime will not let os/signal catch, get SIG_DFL back
// with a raw rt_sigaction (restoreDefault) instead.
//
// Which were ignored is what internal/entry saw before the runtime
// started, or, in a build without the entry point, every signal the
// runtime may have left ignored (keptIgnores): catching one that was not
// ignored changes nothing for the command. Only these are caught, which
// spares the stage the signal goroutine when none was ignored.
func resetIgnores() {
	ignored := keptIgnores
	if entry.Known() {
		ignored = entry.Ignored()
	}
	for sig := syscall.Signal(1); sig <= 64; sig++ {
		switch {
		case sig == syscall.SIGHUP || ignored&sigs.Mask(sig) == 0:
		case sig == 32 || sig == 34:
			restoreDefault(sig)
		default:
			signal.Notify(make(chan os.Signal, 1), sig)
		}
	}
}

// start does steps 3 to 8 and starts the command; it returns once the
// command has been exec'd (syscall.ForkExec reports exec failures through
// its own close-on-exec pipe).
func start(req request) (pid int, err error) {
	if req.Umask >= 0 {
		syscall.Umask(req.Umask) // step 4, inherited by the fork
	}
	// Step 3: a daemon must not keep a mount busy, or a deleted
	// directory alive. Done here rather than in the child so that a
	// failure is told apart from a failed exec.
	if err := os.Chdir(req.Dir); err != nil {
		return 0, &reexec.StageError{Code: exitcode.Canceled, Msg: "cannot change directory to " + quote.Shell(req.Dir) + ": " + diag.Strerror(err)}
	}
	// Step 8: every signal the command inherits goes back to SIG_DFL
	// except SIGHUP, which is ignored.
	resetIgnores()
	if req.Pidfile != nil || req.Record != "" {
		holdOn()
	}
	signal.Ignore(syscall.SIGHUP)
	release := clearSignalMask()
	defer release()

	attr := &syscall.ProcAttr{Env: req.Env, Files: []uintptr{0, 1, 2}, Sys: &syscall.SysProcAttr{}}
	if u := req.User; u != nil {
		attr.Sys.Credential = &syscall.Credential{Uid: u.Uid, Gid: u.Gid, Groups: u.Groups}
	}
	err = pathsearch.Search(req.File, req.Argv, req.Env, func(path string, argv, env []string) error {
		// A candidate that is not there fails as execve would, without
		// the cost of a fork.
		var st unix.Stat_t
		if err := unix.Stat(path, &st); errors.Is(err, unix.ENOENT) || errors.Is(err, unix.ENOTDIR) {
			return err
		}
		p, err := syscall.ForkExec(path, argv, attr)
		pid = p
		return err
	})
	if err != nil {
		return 0, &reexec.StageError{Code: exitcode.FromExec(err), Msg: "failed to run command " + quote.Shell(req.Argv[0]) + ": " + diag.Strerror(err)}
	}
	return pid, nil
}
