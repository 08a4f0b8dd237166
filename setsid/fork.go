package setsid

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/nohupx/nohupx/internal/applet"
	"github.com/nohupx/nohupx/internal/diag"
	"github.com/nohupx/nohupx/internal/entry"
	"github.com/nohupx/nohupx/internal/exitcode"
	"github.com/nohupx/nohupx/internal/reexec"
)

// forkChild is util-linux's forking path. Go cannot fork without exec, so
// the child is this binary re-executed as the stage ChildStage, with the
// command line "setsid [-c] -- PROGRAM ARGS...": it does what util-linux's
// child does after fork (TIOCSCTTY, execvp, and their messages), and the
// program ends up with the child's pid. The child inherits every fd this
// process has without FD_CLOEXEC, as with fork (Go opens all of its own fds
// close-on-exec), and the same environment.
//
// The child's setsid(2) is done by the fork itself, before the exec of this
// binary. util-linux's child calls it at once, while its parent is still on
// its way out; a Go child would call it only after its runtime started,
// milliseconds later. When the parent is the session's controlling process
// (a terminal's first command: ssh -t host setsid cmd, script -c, xterm -e),
// its exit sends SIGHUP to the terminal's foreground process group, and a
// child still in that group would die of it before running anything.
func (c *cmd) forkChild(o options) int {
	argv := []string{ChildStage, o.argv0}
	if o.ctty {
		argv = append(argv, "-c")
	}
	argv = append(append(argv, "--"), o.command...)
	// The child is started with the fds that were closed at start-up
	// closed, and with the inherited ignores and signal mask, which the
	// forking thread (ForkExec forks it with its mask) and the parent keep
	// as util-linux's parent does. Go's forked child resets the signals the
	// runtime will not let go of (the faults, SIGPROF, 32, 33) to SIG_DFL.
	entry.IgnoreAgain()
	entry.BlockAgain()
	pid, err := startSelf(argv, c.env)
	switch {
	case errors.Is(err, syscall.E2BIG):
		// Too long for our exec is too long for the program's: util-linux's
		// child would fail its execvp the same way, and say so.
		_ = diag.Printf(c.stdio.Err, o.prog, "failed to execute %s: %s", o.command[0], diag.Strerror(err))
		if !o.wait {
			return 0
		}
		return exitcode.FromExec(err)
	case err != nil:
		_ = diag.Printf(c.stdio.Err, o.prog, "fork: %s", diag.Strerror(err))
		return 1
	case !o.wait:
		// Bug for bug: the caller sees 0 even if the program cannot run.
		// detach under its own name is the truthful one.
		return 0
	}
	defaultSignals()
	var ws syscall.WaitStatus
	var wpid int
	for {
		// util-linux calls wait(), not waitpid(): any child counts, such as
		// one the caller forked before exec'ing setsid, and then it fails.
		wpid, err = syscall.Wait4(-1, &ws, 0, nil)
		if !errors.Is(err, syscall.EINTR) {
			break
		}
	}
	if err != nil || wpid != pid {
		why := staleErrno(c.env)
		if err != nil {
			why = diag.Strerror(err)
		}
		_ = diag.Printf(c.stdio.Err, o.prog, "wait: %s", why)
		return 1
	}
	if ws.Exited() {
		return ws.ExitStatus()
	}
	// util-linux does err(status, ...): the message ends with strerror of
	// an errno nothing set (see staleErrno), and exit() keeps the low
	// byte of the raw wait status: the signal number, plus 0x80 for a core.
	_ = diag.Printf(c.stdio.Err, o.prog, "child %d did not exit normally: %s", pid, staleErrno(c.env))
	return int(ws) & 0xff
}

// startSelf starts this binary with argv and env, with fds 0–2 and every
// other inheritable fd, in a new session, and returns its pid once it has
// been exec'd. The binary is found as every re-exec finds it (reexec.Exe).
func startSelf(argv, env []string) (int, error) {
	return syscall.ForkExec(reexec.Exe(), argv, &syscall.ProcAttr{Env: env, Files: childFiles(),
		Sys: &syscall.SysProcAttr{Setsid: true}})
}

// ChildStage is the argv[0] of the forked child; the applet's name as it
// was run follows it, so that the child's messages carry that name.
const ChildStage = "nohupx:setsid"

func init() { reexec.Register(ChildStage, childMain) }

// childMain is the forked child: the fork made it a session leader
// already, so it goes on from there as util-linux's child does. Run by
// hand it is not one, and would run the program in its caller's session.
func childMain() int {
	if sid, err := unix.Getsid(0); len(os.Args) < 2 || err != nil || sid != os.Getpid() {
		fmt.Fprintln(os.Stderr, "nohupx: the setsid child is started by setsid, not by hand")
		return exitcode.Canceled
	}
	c, errs := newCmd(applet.OS(), os.Environ())
	o, code, done := c.parse(os.Args[1:])
	if done {
		return errs.status(code)
	}
	o.inSession = true
	return errs.status(c.execHere(o))
}

// localeCategories are the categories glibc's setlocale(LC_ALL, "") loads.
var localeCategories = []string{
	"LC_CTYPE", "LC_NUMERIC", "LC_TIME", "LC_COLLATE", "LC_MONETARY", "LC_MESSAGES",
	"LC_PAPER", "LC_NAME", "LC_ADDRESS", "LC_TELEPHONE", "LC_MEASUREMENT", "LC_IDENTIFICATION",
}

// staleErrno is the strerror text util-linux setsid prints after
// "child PID did not exit normally" and "wait" when wait() succeeded: errno
// then still holds what setlocale(LC_ALL, "") left at start-up, since fork
// and wait do not touch it on success. Measured on Debian 12 (glibc 2.36,
// util-linux 2.38.1): when every category resolves to C or POSIX nothing is
// loaded and errno is 0 ("Success"); when any names another locale (even
// C.UTF-8, or one that does not exist), glibc's failed look-up of the
// locale archive leaves ENOENT. A system with a locale archive that holds
// the locale may differ; this reproduces the common case.
func staleErrno(env []string) string {
	getenv := func(key string) string { // glibc's getenv: first match wins
		for _, kv := range env {
			if k, v, ok := strings.Cut(kv, "="); ok && k == key {
				return v
			}
		}
		return ""
	}
	for _, cat := range localeCategories {
		name := getenv("LC_ALL")
		if name == "" {
			name = getenv(cat)
		}
		if name == "" {
			name = getenv("LANG")
		}
		if name != "" && name != "C" && name != "POSIX" {
			return diag.Strerror(syscall.ENOENT)
		}
	}
	return "Success"
}

// childFiles are the child's fds 0–2: this process's, except that
// one that was closed at start-up (internal/entry) is closed in the child
// too (-1 makes ForkExec close it) instead of the runtime's /dev/null.
func childFiles() []uintptr {
	files := []uintptr{0, 1, 2}
	for fd := range files {
		if entry.Closed(fd) {
			files[fd] = ^uintptr(0)
		}
	}
	return files
}
