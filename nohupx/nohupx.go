package nohupx

import (
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/nohupx/nohupx/internal/applet"
	"github.com/nohupx/nohupx/internal/diag"
	"github.com/nohupx/nohupx/internal/entry"
	"github.com/nohupx/nohupx/internal/exitcode"
	"github.com/nohupx/nohupx/internal/pathsearch"
	"github.com/nohupx/nohupx/internal/quote"
	"github.com/nohupx/nohupx/internal/sigs"
	"github.com/nohupx/nohupx/internal/tty"
	"github.com/nohupx/nohupx/logrot"
)

// Run is the applet (internal/applet's shape): args is the whole command
// line, args[0] included; stdio takes the messages, --help and the listings;
// env is the command's environment.
func Run(args []string, stdio applet.Stdio, env []string) int {
	prog := args[0]
	o, act, err := parse(prog, args[1:])
	o.Out, o.Err, o.Env = stdio.Out, stdio.Err, env
	// POSIX wants nohup's own failures to be 127; GNU uses 125 so that
	// they differ from "command not found", unless POSIXLY_CORRECT is set
	// (to any value, even empty).
	fail := exitcode.Canceled
	if _, ok := o.getenv("POSIXLY_CORRECT"); ok {
		fail = exitcode.PosixFailure
	}
	switch act {
	case actHelp:
		return diag.WriteStatusTo(o.Err, prog, writeHelp(o.Out, prog), fail)
	case actVersion:
		return diag.WriteStatusTo(o.Err, prog, writeVersion(o.Out), fail)
	case actRotate:
		return rotateNow(o, fail)
	case actRelays:
		return listRelays(o, fail)
	case actLinks:
		return installLinks(o, fail)
	case actAttach:
		return attach(o, fail)
	case actJobs:
		return listJobs(o, fail)
	case actLog:
		return showLog(o, fail)
	case actWait:
		return waitJob(o, fail)
	case actKill:
		return killJob(o, fail)
	}
	if err != nil {
		diag.Usage(o.Err, prog, "%s", err)
		return fail
	}
	return run(o, fail)
}

// run does what o asks in this process: it replaces the terminal fds,
// ignores the signals, and execs the command in place, so that the command
// keeps this process's pid, group, session, environment and signal mask.
// It returns only when that fails: fail (125, or 127 under POSIXLY_CORRECT)
// when nohupx itself failed, 126 or 127 when the command could not be run.
func run(o Options, fail int) int {
	p := makePlan(tty.IsTerminal(0), tty.IsTerminal(1), tty.IsTerminal(2), o.AllStdio)
	say := func(format string, a ...any) bool {
		if entry.Closed(2) && !p.stderr {
			// GNU's notice to a closed stderr fails, and so does nohup.
			return false
		}
		return withoutTTOU(func() error { return diag.Printf(o.Err, o.Prog, format, a...) }) == nil
	}

	// Before the output's relay starts, so that it inherits the scope.
	scope := keepScope(o, os.Getpid())
	for _, line := range scope.Lines {
		say("%s", line)
	}
	if p.stdin {
		// Write-only, as GNU does: any read fails at once with EBADF
		// instead of reading the terminal, which would stop a background
		// job with SIGTTIN (or fail with EIO after a hangup).
		if err := reopen(0, "/dev/null", unix.O_WRONLY, 0); err != nil {
			say("failed to render standard input unusable: %s", diag.Strerror(err))
			return fail
		}
	}
	out, ok := redirectStdout(o, p, say)
	if !ok {
		return fail
	}
	var job string // the job's id, once it is recorded
	status := fail
	if announce(o, p, out, scope.Unit, say, &job) {
		status = execCommand(o, p, fail, say)
	}
	// Still here: the command never ran, and this process's status is the
	// one its shell sees for the job.
	endJob(o, job, status)
	return status
}

// stdoutPlan is where standard output went: the file (if nohupx opened
// one), the rotation line, the file a relay writes (if one does), errOnly
// when the file is for stderr alone, and unused, the warning when an
// --output file was left unused.
type stdoutPlan struct {
	file, rotation, unused string
	relayed                relayedFile
	errOnly                bool
}

// relayedFile is the file a relay writes: its name ("" for none), and its
// device and inode as opened, for the job record.
type relayedFile struct {
	name     string
	dev, ino uint64
}

// redirectStdout gives standard output its file, as p says; false means
// nohupx failed (and said why).
func redirectStdout(o Options, p plan, say func(string, ...any) bool) (stdoutPlan, bool) {
	// GNU nohup opens the output file for a terminal stderr even when
	// stdout is closed, and then gives it to stderr alone. Only a binary
	// with the entry point (internal/entry) can tell a closed stdout from
	// the /dev/null the Go runtime puts there.
	out := stdoutPlan{errOnly: !p.stdout && p.stderr && entry.Closed(1)}
	switch {
	case p.stdout || out.errOnly:
		file, rotation, relayed, errs := openOutput(o)
		if file == "" {
			for _, e := range errs {
				say("%s", e)
			}
			return out, false
		}
		out.file, out.rotation, out.relayed = file, rotation, relayed
	case o.PolicySet && !o.NoRotate:
		out.rotation, out.relayed = rotateRedirected(o)
	}
	if o.Output != "" && out.file == "" {
		// GNU's rule, kept: only a terminal is redirected. But FILE was
		// named explicitly, so its going unused is said, even under -q.
		out.unused = "output not redirected to " + quote.Shell(o.Output) + ": standard output is not a terminal; --all-stdio redirects it anyway"
	}
	return out, true
}

// announce records the job (in the scope unit, if it moved), setting *id
// once it is recorded, and prints the notices and warnings; false means
// stderr is broken.
func announce(o Options, p plan, out stdoutPlan, unit string, say func(string, ...any) bool, id *string) bool {
	job, jobWarn := record(o, out.relayed, unit, id)
	if !tty.IsTerminal(2) {
		// The id is for the person at the terminal; a script has $!,
		// which --log, --wait and --kill take too.
		job = ""
	}
	rotation := out.rotation
	if filepath.Base(o.Prog) == "nohup" {
		// Under the drop-in's name, GNU's notices and nothing else.
		rotation, job, jobWarn = "", "", ""
	}
	notices := []string{p.notice(out.file)}
	if out.errOnly {
		// GNU's two lines: the file opened, then stderr sent to it.
		notices = []string{plan{stdin: p.stdin, stdout: true}.notice(out.file), p.notice(out.file)}
	}
	if !o.Quiet {
		for _, n := range append(notices, rotation, job) {
			if n != "" && !say("%s", n) {
				// A notice nobody can read means stderr is broken; GNU
				// refuses to run the command rather than go on blind.
				return false
			}
		}
	}
	for _, w := range append(warnings(o), out.unused, jobWarn) {
		if w != "" && !say("warning: %s", w) {
			return false
		}
	}
	return true
}

// execCommand sends stderr where p says, puts back what the signals and
// fds were given, and execs the command; it returns only on failure.
func execCommand(o Options, p plan, fail int, say func(string, ...any) bool) int {
	// Keep the caller's stderr for the one message that may follow:
	// "failed to run command" belongs to the user, not to nohup.out.
	errFd := 2
	if p.stderr {
		saved, err := unix.FcntlInt(2, unix.F_DUPFD_CLOEXEC, 3)
		if err == nil {
			errFd = saved
		} else {
			errFd = -1
		}
		if err := dup2(1, 2); err != nil {
			say("failed to redirect standard error: %s", diag.Strerror(err))
			return fail
		}
	}

	// The user's own stderr, for the one message that may follow. GNU
	// nohup writes it only where its dup2 back to fd 2 works: not when
	// the copy failed, nor to a stderr that was closed at start. A write
	// that fails there (a full disk, a pipe nobody reads while SIGPIPE is
	// ignored, a read-only fd 2) leaves stderr's error flag set, and
	// gnulib's close_stdout turns the exit status into nohup's own
	// failure status: the caller sees 125, not 126 or 127.
	tell := func(format string, a ...any) error {
		if errFd < 0 || errFd == 2 && entry.Closed(2) {
			return nil
		}
		f := os.NewFile(uintptr(errFd), "stderr")
		return withoutTTOU(func() error { return diag.Printf(f, o.Prog, format, a...) })
	}

	// The last thing before exec: SIG_IGN stays in place across execve,
	// while any handler installed after it would be reset to SIG_DFL by
	// the exec. sigs.IgnoreForExec sets it for every signal --ignore
	// accepts, SIGPROF and the others the Go runtime will not let go of
	// included. What the runtime changed before main goes back as it was
	// given: inherited ignores, the signal mask, and fds 0–2 that were
	// closed and that nohupx did not replace (when stdout was closed and
	// only stderr got the file, stdout held it only until stderr got it,
	// as in GNU nohup).
	entry.IgnoreAgain()
	for _, sig := range o.Ignore {
		if err := sigs.IgnoreForExec(sig); err != nil {
			_ = tell("failed to ignore SIG%s: %s", sigs.Name(sig), diag.Strerror(err))
			return fail
		}
	}
	entry.BlockAgain()
	entry.CloseAgain(p.replaced()...)
	err := pathsearch.Exec(o.Command[0], o.Command, o.Env)
	if tell("failed to run command %s: %s", quote.Shell(o.Command[0]), diag.Strerror(err)) != nil {
		return fail
	}
	return exitcode.FromExec(err)
}

// reopen opens name and moves it onto fd, as gnulib's fd_reopen does.
func reopen(fd int, name string, flags int, mode uint32) error {
	nfd, err := unix.Open(name, flags|unix.O_CLOEXEC, mode)
	if err != nil {
		return err
	}
	if nfd == fd {
		// Cannot happen for 0–2 in a Go process (the runtime keeps them
		// open), but then O_CLOEXEC must come off.
		_, err = unix.FcntlInt(uintptr(fd), unix.F_SETFD, 0)
		return err
	}
	defer unix.Close(nfd)
	// dup3 with no flags: the new fd 0–2 must survive the exec.
	return dup2(nfd, fd)
}

// outputNames are the files to try for the output, in GNU's order: the
// --output file, or else nohup.out and then $HOME/nohup.out.
func (o Options) outputNames() []string {
	if o.Output != "" {
		return []string{o.Output}
	}
	names := []string{"nohup.out"}
	if home, ok := o.getenv("HOME"); ok {
		names = append(names, inHome(home, "nohup.out"))
	}
	return names
}

// openOutput connects stdout to nohup.out, or $HOME/nohup.out, or the
// --output file (through a rotating relay unless --no-rotate), and returns
// the name it used, the line that says how it is rotated and the file a
// relay writes; on failure it returns "" and GNU's messages, one per file
// tried.
func openOutput(o Options) (name, rotation string, relayed relayedFile, errs []string) {
	for _, name := range o.outputNames() {
		out, err := logrot.OpenOutput(name, o.Policy, !o.NoRotate)
		if err != nil {
			errs = append(errs, "failed to open "+quote.Shell(name)+": "+diag.Strerror(err))
			continue
		}
		defer out.Close() // fd 1 holds what the command needs
		if err := dup2(int(out.W.Fd()), 1); err != nil {
			return "", "", relayedFile{}, []string{"failed to redirect standard output: " + diag.Strerror(err)}
		}
		var st unix.Stat_t
		if out.Rotated() && unix.Fstat(int(out.File.Fd()), &st) == nil {
			relayed = relayedFile{name, uint64(st.Dev), uint64(st.Ino)}
		}
		return name, rotationNotice(name, out.Rotated(), out.Note, o), relayed, nil
	}
	return "", "", relayedFile{}, errs
}

// rotationNotice is the line that follows GNU's notice: how the file is
// rotated and how to follow it, or why it is not rotated.
func rotationNotice(name string, rotated bool, note string, o Options) string {
	switch {
	case rotated:
		return quote.Shell(name) + " is " + o.Policy.String() + "; follow it with tail -F"
	case note != "":
		return "not rotating " + quote.Shell(name) + ": " + note + "; appending to it"
	}
	return ""
}

// inHome joins like gnulib's file_name_concat: HOME's trailing slashes
// become one ("/home/u//" gives "/home/u/nohup.out"), a HOME of slashes
// only is kept as it is ("/" gives "/nohup.out"), and an empty HOME leaves
// the name relative. The name is in GNU's messages, so it must be the same.
func inHome(home, name string) string {
	dir := strings.TrimRight(home, "/")
	if dir == "" {
		return home + name
	}
	return dir + "/" + name
}
