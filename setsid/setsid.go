package setsid

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/nohupx/nohupx/internal/applet"
	"github.com/nohupx/nohupx/internal/diag"
	"github.com/nohupx/nohupx/internal/entry"
	"github.com/nohupx/nohupx/internal/exitcode"
	"github.com/nohupx/nohupx/internal/getopt"
	"github.com/nohupx/nohupx/internal/pathsearch"
	"github.com/nohupx/nohupx/internal/version"
)

// Run is the applet (see the package doc); args is the whole command line,
// args[0] included. stdio takes --help, --version and the messages; the
// program itself always gets this process's real fds, as with fork, and
// env. It returns only when the program was not exec'd in place: after an
// error, after --help or --version, or in the forking parent.
func Run(args []string, stdio applet.Stdio, env []string) int {
	c, errs := newCmd(stdio, env)
	return errs.status(c.run(args))
}

func (c *cmd) run(args []string) int {
	o, code, done := c.parse(args)
	if done {
		return code
	}
	// A group leader cannot call setsid(2) (POSIX: EPERM), so util-linux
	// forks then, and always with -f.
	if o.fork || syscall.Getpgrp() == syscall.Getpid() {
		return c.forkChild(o)
	}
	return c.execHere(o)
}

// newCmd is a run of the applet with stdio, its stderr watched for a
// failed write.
func newCmd(stdio applet.Stdio, env []string) (*cmd, *stderrFlag) {
	errs := &stderrFlag{w: stdio.Err, closed: entry.Closed(2) && stdio.Err == io.Writer(os.Stderr)}
	stdio.Err = errs
	return &cmd{stdio: stdio, env: env}, errs
}

// stderrFlag is stderr's error flag, as util-linux's close_stdout() reads
// it at exit: once a message could not be written (a full disk, a pipe
// nobody reads with SIGPIPE ignored, a stderr closed at start, where the
// Go runtime has put /dev/null), setsid exits 1 whatever status it was
// about to return: 1 for "failed to execute" instead of 126 or 127, and
// for the -w parent's "child did not exit normally" instead of the signal.
type stderrFlag struct {
	w      io.Writer
	closed bool // closed at start: every write fails with EBADF, as in C
	failed bool
}

func (e *stderrFlag) Write(p []byte) (int, error) {
	if e.closed {
		e.failed = true
		return 0, syscall.EBADF
	}
	n, err := e.w.Write(p)
	if err != nil {
		e.failed = true
	}
	return n, err
}

// status is the exit status for code: util-linux's CLOSE_EXIT_CODE, 1,
// after a failed write to stderr.
func (e *stderrFlag) status(code int) int {
	if e.failed {
		return 1
	}
	return code
}

// cmd is one run of the applet: where its messages go, and the program's
// environment.
type cmd struct {
	stdio applet.Stdio
	env   []string
}

// options is a parsed command line.
type options struct {
	argv0   string // glibc's getopt prefixes its messages with argv[0] as is
	prog    string // program_invocation_short_name, for every other message
	ctty    bool
	fork    bool
	wait    bool
	command []string
	// inSession: the fork already made this process a session leader
	// (the forked child, ChildStage), so setsid(2) is not called again.
	inSession bool
}

// option is one entry of the option table: its getopt spec, and what it
// sets, or for --help and --version the text it prints at once.
type option struct {
	getopt.Spec
	set  func(o *options)
	text func(prog string) string
}

// table is util-linux's long options and its "+Vhcfw".
var table = []option{
	{Spec: getopt.Spec{Long: "ctty", Short: 'c'}, set: func(o *options) { o.ctty = true }},
	{Spec: getopt.Spec{Long: "fork", Short: 'f'}, set: func(o *options) { o.fork = true }},
	{Spec: getopt.Spec{Long: "wait", Short: 'w'}, set: func(o *options) { o.wait = true }},
	{Spec: getopt.Spec{Long: "version", Short: 'V'}, text: func(prog string) string {
		return fmt.Sprintf("%s from nohupx %s (util-linux 2.38.1 compatible)\n", prog, version.Version)
	}},
	{Spec: getopt.Spec{Long: "help", Short: 'h'}, text: func(prog string) string { return fmt.Sprintf(helpText, prog) }},
}

// helpText is util-linux 2.38.1's usage text, byte for byte; %s is the
// program's short name.
const helpText = `
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

// parse handles the options in order, as getopt_long's loop does: --help
// and --version act at once, so they win over a bad option after them.
func (c *cmd) parse(argv []string) (o options, code int, done bool) {
	o.argv0 = argv[0]
	o.prog = shortName(argv[0])
	specs := make([]getopt.Spec, len(table))
	for i, t := range table {
		specs[i] = t.Spec
	}
	opts, rest, err := getopt.Parse(argv[1:], specs)
	for _, opt := range opts {
		t := lookup(opt.Name)
		if t.text != nil {
			return o, c.writeStdout(o.prog, t.text(o.prog)), true
		}
		t.set(&o)
	}
	if err != nil {
		_ = diag.Printf(c.stdio.Err, o.argv0, "%s", err)
		_ = diag.TryHelp(c.stdio.Err, o.prog)
		return o, 1, true
	}
	if len(rest) == 0 {
		_ = diag.Printf(c.stdio.Err, o.prog, "no command specified")
		_ = diag.TryHelp(c.stdio.Err, o.prog)
		return o, 1, true
	}
	o.command = rest
	return o, 0, false
}

// lookup is the table's entry for an option getopt returned.
func lookup(name string) option {
	for _, t := range table {
		if t.Long == name {
			return t
		}
	}
	panic("setsid: getopt returned an option not in the table: " + name)
}

// writeStdout writes --help or --version. A failed write is reported as
// util-linux's close_stdout() does at exit, which leaves EPIPE and EBADF
// (a stdout closed from the start, or not open for writing) silent.
func (c *cmd) writeStdout(prog, text string) int {
	_, err := io.WriteString(c.stdio.Out, text)
	if err != nil && !errors.Is(err, syscall.EPIPE) && !errors.Is(err, syscall.EBADF) {
		_ = diag.Printf(c.stdio.Err, prog, "write error: %s", diag.Strerror(err))
		return 1
	}
	return 0
}

// execHere is util-linux's path without fork, and its child's after fork:
// new session, maybe a controlling terminal, then execvp in place.
func (c *cmd) execHere(o options) int {
	if !o.inSession {
		if _, err := unix.Setsid(); err != nil {
			_ = diag.Printf(c.stdio.Err, o.prog, "setsid failed: %s", diag.Strerror(err))
			return 1
		}
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
			_ = diag.Printf(c.stdio.Err, o.prog, "failed to set the controlling terminal: %s", diag.Strerror(err))
			return 1
		}
	}
	// Put back what the Go runtime changed before main (internal/entry):
	// inherited ignores, the signal mask, closed fds 0–2.
	entry.IgnoreAgain()
	entry.BlockAgain()
	entry.CloseAgain()
	err := pathsearch.Exec(o.command[0], o.command, c.env)
	// The name is printed raw, unquoted, as util-linux's errexec() does.
	_ = diag.Printf(c.stdio.Err, o.prog, "failed to execute %s: %s", o.command[0], diag.Strerror(err))
	return exitcode.FromExec(err)
}

// shortName is glibc's program_invocation_short_name: what follows the
// last slash of argv[0], possibly empty.
func shortName(argv0 string) string {
	return argv0[strings.LastIndexByte(argv0, '/')+1:]
}
