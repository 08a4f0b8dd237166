package detach

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/nohupx/nohupx/internal/diag"
	"github.com/nohupx/nohupx/internal/entry"
	"github.com/nohupx/nohupx/internal/exitcode"
	"github.com/nohupx/nohupx/internal/getopt"
	"github.com/nohupx/nohupx/internal/pathsearch"
	"github.com/nohupx/nohupx/internal/version"
)

// SetsidMain is the setsid applet, a drop-in for util-linux setsid(1)
// 2.38.1: argv is the whole command line, argv[0] included.
//
// Synopsis:
//
//	setsid [options] <program> [arguments ...]
//
// Options (bundled as -fw, long ones abbreviated as --fo; parsing stops at
// the program):
//
//	-c, --ctty     make the stdin terminal the controlling terminal
//	               (TIOCSCTTY with 1: steal it if allowed)
//	-f, --fork     always fork
//	-w, --wait     when forked, wait and return the program's status
//	-h, --help     display help
//	-V, --version  display version
//
// setsid forks only when the caller is a process-group leader (a leader
// cannot call setsid(2)), or with -f; otherwise it calls setsid(2) and execs
// the program in place, so the program keeps setsid's pid.
//
// Exit status, as util-linux's:
//
//	0    forked without -w (even if the program could not be run: the
//	     child reports that, but nobody sees its status)
//	1    usage error, no program, setsid(2), TIOCSCTTY, fork or wait failed
//	126  the program was found but could not be run
//	127  the program was not found
//	N    with -w: the program's exit status; for a killed program the raw
//	     wait status (15 for SIGTERM, not 143), after the message
//	     "child PID did not exit normally"
//
// Where it differs from util-linux, and why:
//   - --version says "setsid from nohupx VERSION (util-linux 2.38.1
//     compatible)": it must not claim to be util-linux, and the words
//     "util-linux 2.38.1" stay for scripts that grep them.
//   - Messages are never translated (util-linux uses gettext).
//   - The forked child is this binary re-executed as
//     "setsid [-c] -- PROGRAM ARGS..." (Go cannot fork without exec); being
//     a child, it is not a group leader and takes the in-place path, exactly
//     as util-linux's child does after fork. The parent returns 0 only once
//     that child has started, not straight after fork.
//   - The strerror text after "did not exit normally" is a left-over errno
//     in util-linux; it is reproduced from the locale variables as glibc
//     2.36 leaves it (setsidStaleErrno), which a system with a locale
//     archive may not match.
//   - The Go runtime reopens closed fds 0–2 on /dev/null, takes over
//     inherited ignores and unblocks some signals before main; with the
//     entry point of internal/entry (linux/amd64 and linux/arm64, linked
//     with -ldflags=-E=_rt0_nohupx_linux) all of it is put back before the
//     exec and passed to a forked child, except an ignore of SIGPROF and
//     the fault signals, which Go's fork resets in the child. A build
//     without it passes an ignore on only for SIGHUP, SIGINT and the
//     job-control signals, and gives the program /dev/null for a closed fd.
//   - The parent waiting with -w dies of SIGQUIT and SIGABRT as a C program
//     does on Linux only; elsewhere the Go runtime prints a goroutine dump
//     and exits 2.
func SetsidMain(argv []string) int {
	s := &SetsidApplet{Stdout: os.Stdout, Stderr: os.Stderr, Env: os.Environ()}
	return s.Run(argv)
}

// SetsidApplet runs setsid with the given message streams and environment.
// The program itself always gets this process's real fds, as with fork.
type SetsidApplet struct {
	Stdout io.Writer // --help and --version
	Stderr io.Writer // diagnostics
	Env    []string  // the program's environment
}

// setsidOpts is a parsed command line.
type setsidOpts struct {
	argv0   string // glibc's getopt prefixes its messages with argv[0] as is
	prog    string // program_invocation_short_name, for every other message
	ctty    bool
	fork    bool
	wait    bool
	command []string
}

// setsidSpecs are util-linux's long options and its "+Vhcfw".
var setsidSpecs = []getopt.Spec{
	{Long: "ctty", Short: 'c'},
	{Long: "fork", Short: 'f'},
	{Long: "wait", Short: 'w'},
	{Long: "version", Short: 'V'},
	{Long: "help", Short: 'h'},
}

// setsidHelp is util-linux 2.38.1's usage text, byte for byte; %s is the
// program's short name.
const setsidHelp = `
Usage:
 %s [options] <program> [arguments ...]

Run a program in a new session.

Options:
 -c, --ctty     set the controlling terminal to the current one
 -f, --fork     always fork
 -w, --wait     wait program to exit, and use the same return
 -h, --help     display this help
 -V, --version  display version

For more details see setsid(1).
`

// Run runs the applet. It returns only when the program was not exec'd in
// place: after an error, after --help or --version, or in the forking parent.
func (s *SetsidApplet) Run(argv []string) int {
	o, code, done := s.parse(argv)
	if done {
		return code
	}
	// A group leader cannot call setsid(2) (POSIX: EPERM), so util-linux
	// forks then, and always with -f.
	if o.fork || syscall.Getpgrp() == syscall.Getpid() {
		return s.forkChild(o)
	}
	return s.execHere(o)
}

// parse handles the options in order, as getopt_long's loop does: --help
// and --version act at once, so they win over a bad option after them.
func (s *SetsidApplet) parse(argv []string) (o setsidOpts, code int, done bool) {
	o.argv0 = argv[0]
	o.prog = setsidShortName(argv[0])
	opts, rest, err := getopt.Parse(argv[1:], setsidSpecs)
	for _, opt := range opts {
		switch opt.Name {
		case "ctty":
			o.ctty = true
		case "fork":
			o.fork = true
		case "wait":
			o.wait = true
		case "help":
			return o, s.writeStdout(o.prog, fmt.Sprintf(setsidHelp, o.prog)), true
		case "version":
			return o, s.writeStdout(o.prog, fmt.Sprintf("%s from nohupx %s (util-linux 2.38.1 compatible)\n", o.prog, version.Version)), true
		}
	}
	if err != nil {
		_ = diag.Printf(s.Stderr, o.argv0, "%s", err)
		_ = diag.TryHelp(s.Stderr, o.prog)
		return o, 1, true
	}
	if len(rest) == 0 {
		_ = diag.Printf(s.Stderr, o.prog, "no command specified")
		_ = diag.TryHelp(s.Stderr, o.prog)
		return o, 1, true
	}
	o.command = rest
	return o, 0, false
}

// writeStdout writes --help or --version. A failed write is reported as
// util-linux's close_stdout() does at exit; EPIPE is left silent.
func (s *SetsidApplet) writeStdout(prog, text string) int {
	_, err := io.WriteString(s.Stdout, text)
	if err != nil && !errors.Is(err, syscall.EPIPE) {
		_ = diag.Printf(s.Stderr, prog, "write error: %s", diag.Strerror(err))
		return 1
	}
	return 0
}

// execHere is util-linux's path without fork, and its child's after fork:
// new session, maybe a controlling terminal, then execvp in place.
func (s *SetsidApplet) execHere(o setsidOpts) int {
	if _, err := unix.Setsid(); err != nil {
		_ = diag.Printf(s.Stderr, o.prog, "setsid failed: %s", diag.Strerror(err))
		return 1
	}
	// A session leader without a terminal acquires stdin's with TIOCSCTTY;
	// util-linux passes 1, so root (CAP_SYS_ADMIN) steals a terminal that
	// is another session's. Linux-only meaning; the BSDs ignore the value.
	if o.ctty {
		err := unix.IoctlSetInt(0, unix.TIOCSCTTY, 1)
		if entry.Closed(0) {
			// util-linux's ioctl meets the closed fd, not /dev/null.
			err = unix.EBADF
		}
		if err != nil {
			_ = diag.Printf(s.Stderr, o.prog, "failed to set the controlling terminal: %s", diag.Strerror(err))
			return 1
		}
	}
	// Put back what the Go runtime changed before main (internal/entry):
	// inherited ignores, the signal mask of this thread, closed fds 0–2.
	runtime.LockOSThread()
	entry.IgnoreAgain()
	entry.BlockAgain()
	entry.CloseAgain()
	err := pathsearch.Exec(o.command[0], o.command, s.Env)
	// The name is printed raw, unquoted, as util-linux's errexec() does.
	_ = diag.Printf(s.Stderr, o.prog, "failed to execute %s: %s", o.command[0], diag.Strerror(err))
	return exitcode.FromExec(err)
}

// setsidShortName is glibc's program_invocation_short_name: what follows the last
// slash of argv[0], possibly empty.
func setsidShortName(argv0 string) string {
	return argv0[strings.LastIndexByte(argv0, '/')+1:]
}
