package nohupx

import (
	"fmt"
	"io"

	"github.com/nohupx/nohupx/internal/version"
)

// helpText follows the layout of GNU nohup's --help, with nohupx's options
// and its deliberate differences added. %[1]s is the program name.
const helpText = `Usage: %[1]s [OPTION]... COMMAND [ARG]...
  or:  %[1]s -p [OPTION]... PID...
  or:  %[1]s -g [OPTION]... PGID...
  or:  %[1]s --jobs [--json] | --log=JOB [-f] [-n N] | --wait=JOB | --kill=JOB
  or:  %[1]s OPTION
Run COMMAND, ignoring hangup signals, so that it outlives the terminal
and the login shell it was started from.

  -o, --output=FILE   append redirected output to FILE instead of
                        'nohup.out' (no $HOME fallback); a standard output
                        that is not a terminal is left as it is, and a
                        warning says FILE is unused (see --all-stdio)
  -q, --quiet         do not print the notices ('ignoring input', 'appending
                        output', the rotation, the job's id, what -p, -g,
                        --kill and --install-links did); warnings and
                        errors are still printed
      --ignore=LIST   ignore the signals in LIST too; LIST is names with or
                        without SIG, or numbers, comma-separated
                        (TERM,CONT,20); KILL and STOP cannot be ignored.
                        Ignoring CONT cannot prevent a resume: the kernel
                        continues a stopped process whatever it does
  -s, --survive       outlive every way a login shell ends: ignore HUP, TERM,
                        TTIN and TTOU and detach a terminal stdin; ^Z, bg and
                        fg still work
      --all-stdio     redirect stdin, stdout and stderr even when they are
                        not terminals, so that 'ssh host "%[1]s CMD &"'
                        returns at once

Output rotation (the default, on Linux: detached relay processes write the
output file and rotate it):
      --max-size=SIZE rotate before the file passes SIZE bytes (K, M, G, T are
                        powers of 1024: 512K is 524288); default 100M
      --keep=N        keep this job's first rotated file (the start of its
                        output) and the N newest of the file, an earlier
                        job's included; 0 keeps all; default 5
      --max-age=AGE   remove rotated files older than AGE, the first one too
                        (90m, 36h, 7d, 1d12h); 0 or the default: no limit
      --compress      gzip rotated files
      --no-rotate     append to the file directly, as GNU nohup does
      --rotate=FILE   rotate FILE now (its relay gets SIGUSR1), then exit
      --relays        list the running relay processes and the file of each

Jobs (every command %[1]s and detach start, and every process -p and -g
change, is recorded in $XDG_STATE_HOME/nohupx/jobs, ~/.local/state/...):
      --on-exit=CMD   once COMMAND has ended and its output is on disk, run
                        CMD with /bin/sh, detached, with NOHUPX_JOB_ID, _PID,
                        _STATE, _STATUS, _SIGNAL, _RUNTIME (seconds),
                        _COMMAND and _OUTPUT in its environment
      --no-record     do not record this job (NOHUPX_NO_RECORD=1 does the
                        same for every job); refused with --on-exit, which
                        needs the record
      --jobs          list the recorded jobs, newest last, then exit
      --json          with --jobs, one JSON object per job and line
      --log=JOB       print JOB's output from its start, rotated and
                        compressed files included, then exit
  -f, --follow        with --log, go on printing new output until JOB has
                        ended and its output is all on disk
  -n, --lines=N       with --log, start with the last N lines
      --wait=JOB      wait until JOB has ended and its output is on disk;
                        exit with JOB's status (128+N for signal N)
      --kill=JOB      send SIGTERM to JOB's process group if JOB leads it (or
                        detach made it), else to JOB, then SIGCONT if JOB is
                        stopped; refuse if JOB has ended
      --signal=SIG    with --kill, send SIG instead (a name or a number)
JOB is an id that --jobs shows, or a process ID. When standard error is a
terminal, one more line names the new job's id (not under the name nohup).

Logout under systemd-logind (Linux):
      --no-scope      leave COMMAND in the login session, even where logind
                        kills the session's processes when it ends
      --linger        ask logind to turn linger on for you (as 'loginctl
                        enable-linger' does), so that your systemd user
                        manager, and COMMAND with it, outlives your last
                        logout; says so plainly if polkit refuses

Installation:
      --install-links=DIR  create links named detach and reattach-sock to
                        this binary in DIR (with --drop-in, nohup and setsid
                        too); an existing file is never replaced, then exit

A running process (Linux on x86-64 and arm64, through ptrace):
  -p, --pid           make the running processes PID... outlive the session:
                        ignore SIGHUP (and --ignore LIST) in them, and switch
                        their terminal stdout and stderr, in place, to the
                        output file and a terminal stdin to /dev/null
  -g, --pgid          the same for every process of the process groups
                        PGID... (a shell job; a pipeline is one group)
  -a, --always        with -p or -g, also replace a handler the program
                        installed for such a signal (Go's runtime has one for
                        HUP and TERM that exits)
      --continue      with -p or -g, resume a stopped target afterwards;
                        without it a stopped target stays stopped

      --help          display this help and exit
      --version       output version information and exit

If standard input is a terminal, redirect it from an unreadable file.
If standard output is a terminal, append output to 'nohup.out' if possible,
'$HOME/nohup.out' otherwise.
If standard error is a terminal, redirect it to standard output.
To save output to FILE, use '%[1]s COMMAND > FILE'.

COMMAND keeps the process ID of %[1]s, so $! and wait refer to it.
The output file keeps its name and never goes missing (follow it with
tail -F); rotated files are named beside it, in UTC
(nohup-2026-01-02T15-04-05.000Z.out), and a line in the file notes each one
removed. Rotation options also rotate a file you redirected the output to.
Only a regular file of yours with one link, not reached through a symbolic
link, in a directory of yours or root's that no other user can write (unless
it is sticky), is rotated; any other file is appended to, and a line says why.
Two relay processes, neither a child of COMMAND, restart each other: killing
one loses nothing, killing both is killing the reader of COMMAND's output
(SIGPIPE). They ignore hangups and TERM, and exit once everything that
inherited the output has closed it and all of it is on disk. Output lost to
a full disk is counted in the file, or, if the disk stays full, in
$XDG_STATE_HOME/nohupx/relay.log (~/.local/state/...) and the system log.

Where systemd-logind kills a session's processes when it ends
(KillUserProcesses=yes in logind.conf), no ignored signal helps: %[1]s
(-p and -g too) then moves COMMAND, and the relay, out of the session into
a scope of your systemd user manager, nohupx-PID.scope (see it with
'systemctl --user status nohupx-PID.scope'), as 'systemd-run --user
--scope' does. COMMAND keeps its pid, process group and session. That
scope lives as long as your user manager: with linger off, only until your
last session ends, which %[1]s says before COMMAND starts. Where logind
kills nothing, nothing moves.

A program that resets its signal handlers when it starts is not protected
by --ignore: Go programs reset TERM and QUIT, Node.js resets HUP and TERM.
%[1]s warns when it recognises one; run such a program with 'detach'.

Closed standard input, output or error, inherited ignores and the signal
mask reach COMMAND as with GNU nohup. A build without the entry point
(-ldflags=-E=_rt0_nohupx_linux on Linux amd64 and arm64; a plain go
install, or another system) differs, as the Go runtime makes it:
  - a standard input, output or error closed at start-up is treated as
    /dev/null (GNU nohup opens nohup.out for a closed stdout);
  - an inherited ignore is passed on only for HUP, INT, CONT, TSTP, TTIN
    and TTOU: name any other (QUIT, TERM, PIPE, ...) with --ignore;
  - a blocked HUP, INT, QUIT, TERM, CHLD, URG, PROF or fault signal is
    unblocked for COMMAND; other blocked signals stay blocked.

Exit status:
  125  if %[1]s itself fails (127 if POSIXLY_CORRECT is set)
  126  if COMMAND is found but cannot be invoked
  127  if COMMAND cannot be found
  -    the exit status of COMMAND otherwise

COMMAND becomes the process %[1]s was, as with GNU nohup, so only the shell
that started it learns its exit status: --jobs shows it as unknown, and
says so. detach stays the parent of its command (a small process that
leads the command's session and waits) and records the status. A record
that cannot be written is one warning line; COMMAND runs all the same.
The record of an ended job is removed 30 days after its end, or once 200
newer ended jobs are recorded: whenever --jobs, --log, --wait or --kill
read the record, and by one launch in 32 when it holds over 300 jobs.

Exit status of --jobs, --log and --kill: 0, or 125 with a message (an
unknown JOB, an unreadable record directory, a JOB that has ended for
--kill). --wait exits with JOB's status, or 125 with a message when it
cannot be known.

-p and -g stop each target for a moment with ptrace(2) and make it run the
system calls itself; every register is put back, and on a failure every
change is undone. This needs the right to trace it: the same user, and
kernel.yama.ptrace_scope 0 (at 1 only an ancestor may trace, at 2 only
root, at 3 nobody), or root (CAP_SYS_PTRACE); and no debugger or strace
tracing it already. One line per target says what was changed (none with
-q). A job stopped with ^Z also gets SIGTERM from bash when the session
ends, so a stopped target is made to ignore TERM too. The output file is
nohup.out in this directory (else $HOME/nohup.out) or --output, rotated by
a relay; a process of another user than nohupx's (root's -p) cannot reopen
the relay's pipe and appends to the file itself, which nohupx gives to that
user if it created it.

Exit status with -p and -g (the largest over the targets):
  0    every target was changed as reported
  1    no such process or process group
  2    a target is already traced (a debugger, strace)
  3    not permitted to trace a target (the message says why)
  4    not supported (this OS or architecture, a kernel thread, ...)
  5    a change failed in a target, which was left as it was, or a
       process group kept forking processes that needed the change
  6    a change failed and could not be undone (the message says what is left)
  7    none of the above, but a target kept its own handler for a signal to
       ignore, which may end it all the same (a Go program's for HUP): -a
  125  a usage error, the output file cannot be opened, or interrupted
`

func writeHelp(w io.Writer, prog string) error {
	_, err := fmt.Fprintf(w, helpText, prog)
	return err
}

func writeVersion(w io.Writer) error {
	_, err := fmt.Fprintf(w, "nohupx %s\nA drop-in for GNU nohup that rotates its output and survives logout.\n", version.Version)
	return err
}
