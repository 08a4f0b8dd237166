package nohupx

import (
	"os"
	"os/signal"
	"path/filepath"

	"golang.org/x/sys/unix"

	"github.com/nohupx/nohupx/internal/diag"
	"github.com/nohupx/nohupx/internal/entry"
	"github.com/nohupx/nohupx/internal/exitcode"
	"github.com/nohupx/nohupx/internal/pathsearch"
	"github.com/nohupx/nohupx/internal/quote"
	"github.com/nohupx/nohupx/internal/tty"
	"github.com/nohupx/nohupx/logrot"
)

// Main is the applet's entry point: argv is the whole command line.
func Main(argv []string) int {
	prog := argv[0]
	// POSIX wants nohup's own failures to be 127; GNU uses 125 so that
	// they differ from "command not found", unless POSIXLY_CORRECT is set
	// (to any value, even empty).
	fail := exitcode.Canceled
	if _, ok := os.LookupEnv("POSIXLY_CORRECT"); ok {
		fail = exitcode.PosixFailure
	}
	o, act, err := parse(prog, argv[1:])
	switch act {
	case actHelp:
		return diag.WriteStatus(prog, writeHelp(os.Stdout, prog), fail)
	case actVersion:
		return diag.WriteStatus(prog, writeVersion(os.Stdout), fail)
	case actRotate:
		return rotateNow(o, fail)
	case actRelays:
		return listRelays(o, fail)
	case actLinks:
		return installLinks(o, fail)
	case actAttach:
		return attach(o, fail)
	}
	if err != nil {
		diag.Usage(os.Stderr, prog, "%s", err)
		return fail
	}
	return Run(o, fail)
}

// Run does what o asks in this process: it replaces the terminal fds,
// ignores the signals, and execs the command in place, so that the command
// keeps this process's pid, group, session, environment and signal mask.
// It returns only when that fails: fail (125, or 127 under POSIXLY_CORRECT)
// when nohupx itself failed, 126 or 127 when the command could not be run.
func Run(o Options, fail int) int {
	p := makePlan(tty.IsTerminal(0), tty.IsTerminal(1), tty.IsTerminal(2), o.AllStdio)
	// GNU nohup opens the output file for a terminal stderr even when
	// stdout is closed, and then gives it to stderr alone. Only a binary
	// with the entry point (internal/entry) can tell a closed stdout from
	// the /dev/null the Go runtime puts there.
	errOnly := !p.stdout && p.stderr && entry.Closed(1)
	release := holdTTOU()
	defer release()
	say := func(format string, a ...any) bool {
		if entry.Closed(2) && !p.stderr {
			// GNU's notice to a closed stderr fails, and so does nohup.
			return false
		}
		return diag.Printf(os.Stderr, o.Prog, format, a...) == nil
	}

	// Before the output's relay starts, so that it inherits the scope.
	for _, line := range keepScope(o, os.Getpid()) {
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
	file, rotation := "", ""
	if p.stdout || errOnly {
		var errs []string
		file, rotation, errs = openOutput(o)
		if file == "" {
			for _, e := range errs {
				say("%s", e)
			}
			return fail
		}
	} else if o.PolicySet && !o.NoRotate {
		rotation = rotateRedirected(o)
	}
	if filepath.Base(o.Prog) == "nohup" {
		// Under the drop-in's name, GNU's notices and nothing else.
		rotation = ""
	}
	notices := []string{p.notice(file)}
	if errOnly {
		// GNU's two lines: the file opened, then stderr sent to it.
		notices = []string{plan{stdin: p.stdin, stdout: true}.notice(file), p.notice(file)}
	}
	if !o.Quiet {
		for _, n := range append(notices, rotation) {
			if n != "" && !say("%s", n) {
				// A notice nobody can read means stderr is broken; GNU
				// refuses to run the command rather than go on blind.
				return fail
			}
		}
	}
	for _, w := range warnings(o) {
		if !say("warning: %s", w) {
			return fail
		}
	}

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

	// The last thing before exec: signal.Ignore leaves SIG_IGN in place
	// across execve, while any handler installed after it would be reset
	// to SIG_DFL by the exec. What the runtime changed before main goes
	// back as it was given: inherited ignores, the signal mask, and fds
	// 0–2 that were closed and that nohupx did not replace (with errOnly,
	// stdout held the file only until stderr got it, as in GNU nohup).
	entry.IgnoreAgain()
	for _, sig := range o.Ignore {
		signal.Ignore(sig)
	}
	release()
	entry.BlockAgain()
	entry.CloseAgain(p.replaced()...)
	err := pathsearch.Exec(o.Command[0], o.Command, os.Environ())

	if errFd >= 0 {
		f := os.NewFile(uintptr(errFd), "stderr")
		_ = diag.Printf(f, o.Prog, "failed to run command %s: %s", quote.Shell(o.Command[0]), diag.Strerror(err))
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

// openOutput connects stdout to nohup.out, or $HOME/nohup.out, or the
// --output file (through a rotating relay unless --no-rotate), and returns
// the name it used and the line that says how it is rotated; on failure it
// returns "" and GNU's messages, one per file tried.
func openOutput(o Options) (name, rotation string, errs []string) {
	names := []string{o.Output}
	if o.Output == "" {
		names = []string{"nohup.out"}
		if home, ok := os.LookupEnv("HOME"); ok {
			names = append(names, inHome(home, "nohup.out"))
		}
	}
	for _, name := range names {
		f, err := logrot.OpenAppend(name)
		if err != nil {
			errs = append(errs, "failed to open "+quote.Shell(name)+": "+diag.Strerror(err))
			continue
		}
		defer f.Close()
		w, note := logrot.Writer(f, name, o.Policy, !o.NoRotate)
		if w != f {
			defer w.Close()
		}
		if err := dup2(int(w.Fd()), 1); err != nil {
			return "", "", []string{"failed to redirect standard output: " + diag.Strerror(err)}
		}
		return name, rotationNotice(name, w != f, note, o), nil
	}
	return "", "", errs
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

// inHome joins like gnulib's file_name_concat: no doubled slash, and an
// empty HOME leaves the name relative.
func inHome(home, name string) string {
	if home == "" || home[len(home)-1] == '/' {
		return home + name
	}
	return home + "/" + name
}
