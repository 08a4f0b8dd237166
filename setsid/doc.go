// Package setsid is the setsid applet, a drop-in for util-linux setsid(1)
// 2.38.1, installed as a symlink named setsid.
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
//   - The forked child is this binary re-executed (Go cannot fork without
//     exec) as the stage "nohupx:setsid", which then does what util-linux's
//     child does after fork. Its setsid(2) is done by the fork, before that
//     exec: util-linux's child calls it at once, and a Go child calling it
//     only once its runtime has started would still be in the terminal's
//     foreground group when a parent that is the controlling process exits
//     and the kernel hangs that group up. The parent returns 0 only once
//     the child has started, not straight after fork.
//   - The strerror text after "did not exit normally" is a left-over errno
//     in util-linux; it is reproduced from the locale variables as glibc
//     2.36 leaves it (staleErrno), which a system with a locale archive
//     may not match.
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
package setsid
