package nohupx

import (
	"fmt"
	"io"

	"github.com/nohupx/nohupx/internal/version"
)

// helpText follows the layout of GNU nohup's --help, with nohupx's options
// and its deliberate differences added. %[1]s is the program name.
const helpText = `Usage: %[1]s [OPTION]... COMMAND [ARG]...
  or:  %[1]s OPTION
Run COMMAND, ignoring hangup signals, so that it outlives the terminal
and the login shell it was started from.

  -o, --output=FILE   append redirected output to FILE instead of
                        'nohup.out' (no $HOME fallback)
  -q, --quiet         do not print the 'ignoring input' and 'appending
                        output' notices
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

Output rotation (the default: a small detached relay writes the output file):
      --max-size=SIZE rotate before the file passes SIZE (K, M, G suffixes;
                        rounded up to a whole MiB); default 100M
      --keep=N        keep N rotated files, 0 for all; default 5
      --max-age=AGE   remove rotated files older than AGE (7d, 36h; rounded
                        up to whole days); default: no limit
      --compress      gzip rotated files
      --no-rotate     append to the file directly, as GNU nohup does
      --rotate=FILE   rotate FILE now (the relay writing it gets SIGUSR1),
                        then exit
      --relays        list the running relays and the file each writes

      --help          display this help and exit
      --version       output version information and exit

If standard input is a terminal, redirect it from an unreadable file.
If standard output is a terminal, append output to 'nohup.out' if possible,
'$HOME/nohup.out' otherwise.
If standard error is a terminal, redirect it to standard output.
To save output to FILE, use '%[1]s COMMAND > FILE'.

COMMAND keeps the process ID of %[1]s, so $! and wait refer to it.
The output file keeps its name (follow it with tail -F); rotated files are
named beside it (nohup-2026-01-02T15-04-05.000.out). The relay is not a child of COMMAND,
ignores hangups and TERM, and exits once COMMAND and everything that
inherited its output have closed it, with all of it on disk.

A program that resets its signal handlers when it starts is not protected
by --ignore: Go programs reset TERM and QUIT, Node.js resets HUP and TERM.
%[1]s warns when it recognises one; run such a program with 'detach'.

Differences from GNU nohup, forced by the Go runtime:
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
`

func writeHelp(w io.Writer, prog string) error {
	_, err := fmt.Fprintf(w, helpText, prog)
	return err
}

func writeVersion(w io.Writer) error {
	_, err := fmt.Fprintf(w, "nohupx %s\nA drop-in for GNU nohup that rotates its output and survives logout.\n", version.Version)
	return err
}
