// Package applet is the one shape of an applet's entry point, which the
// binary's dispatch table (cmd/nohupx) calls and tests call directly:
//
//	func Run(args []string, stdio applet.Stdio, env []string) int
//
// as u-root's commands have run(args, stdin, stdout, stderr): args is the
// whole command line, args[0] included (the name it was run as, which the
// messages start with); stdio is where the applet itself reads and writes;
// env is the environment the command gets; the result is the exit status.
// An applet that execs in place returns only when that failed.
package applet

import (
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/nohupx/nohupx/internal/entry"
	"github.com/nohupx/nohupx/internal/sigs"
)

// Stdio are an applet's own streams: its messages, --help and --version,
// a pid it prints. The command an applet starts gets the process's real
// descriptors 0–2 instead (or what the applet puts there with system
// calls): a Go io.Writer cannot be passed across exec.
type Stdio struct {
	In  io.Reader
	Out io.Writer
	Err io.Writer
}

// OS is this process's own standard streams. A stdout that was closed
// when the process started (internal/entry saw it) fails every write with
// EBADF, as a C program's would: the Go runtime has put /dev/null on fd 1,
// and --help, --version, -p's pid or --jobs would vanish there with
// status 0.
//
// Likewise a SIGPIPE that was ignored when the process started is ignored
// again: then a write to a pipe nobody reads fails with EPIPE, as in a C
// program, which GNU nohup turns into status 125 and util-linux setsid
// leaves unsaid. The runtime has taken the signal over, and would die of
// it on a write to fd 1 or 2 instead.
func OS() Stdio {
	if entry.Ignored()&sigs.Mask(syscall.SIGPIPE) != 0 {
		signal.Ignore(syscall.SIGPIPE)
	}
	s := Stdio{In: os.Stdin, Out: os.Stdout, Err: os.Stderr}
	if entry.Closed(1) {
		s.Out = closed{}
	}
	return s
}

// closed is a stream whose descriptor was closed.
type closed struct{}

func (closed) Write([]byte) (int, error) { return 0, syscall.EBADF }

// Func is an applet's entry point.
type Func func(args []string, stdio Stdio, env []string) int

// Getenv is os.LookupEnv over env, an applet's KEY=VALUE list. When a key
// is listed twice the first one wins, as in glibc's getenv(3) and Go's
// os.Getenv, so that an applet reads the value the command will read.
func Getenv(env []string, key string) (string, bool) {
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, key+"="); ok {
			return v, true
		}
	}
	return "", false
}
