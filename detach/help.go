package detach

import (
	"fmt"
	"io"

	"github.com/nohupx/nohupx/internal/version"
)

const helpText = `Usage: %[1]s [OPTION]... COMMAND [ARG]...
Run COMMAND as a daemon: in a session of its own, with no controlling
terminal, not a session leader, not the shell's child, its stdin on
/dev/null, its output on /dev/null or a rotated log, SIGHUP ignored and every
other signal at its default. %[1]s returns once COMMAND has been started,
and says so truthfully: if COMMAND cannot be run, %[1]s fails.

  -C, --chdir=DIR     run in DIR; default /
      --umask=MODE    set the umask to MODE (octal); default: unchanged
      --keep-fds      keep inherited descriptors >= 3; default: close them
  -o, --output=FILE   append stdout and stderr to FILE, rotated as nohupx
                        rotates (new files 0600); default /dev/null
      --stderr=FILE   append stderr to FILE instead
      --max-size=SIZE, --keep=N, --max-age=AGE, --compress, --no-rotate
                      rotation of FILE, as for nohupx (default: at 100M,
                        keeping the first and the 5 newest backups)
  -p, --print-pid     print COMMAND's pid on stdout
  -w, --wait          wait for COMMAND and exit with its status (128+N if
                        it was killed by signal N)
      --pidfile=FILE  write COMMAND's pid to FILE, atomically, before
                        returning; a small process (nohupx:detach) stays
                        COMMAND's parent, keeps FILE locked (flock) while
                        COMMAND lives and removes it when COMMAND exits.
                        Refuse while the pid in a locked FILE runs. A
                        symlink or another user's FILE is refused
      --ready         give COMMAND a $NOTIFY_SOCKET (sd_notify) and return
                        when it sends READY=1, or at once with its status if
                        it exits first
      --timeout=D     with --ready, give up after D (30s, 2m); COMMAND keeps
                        running
      --on-exit=CMD   once COMMAND has ended and its output is on disk, run
                        CMD with /bin/sh, with NOHUPX_JOB_ID, _PID, _STATE,
                        _STATUS, _SIGNAL, _RUNTIME, _COMMAND and _OUTPUT in
                        its environment; how it went is recorded
      --no-record     do not record COMMAND in the job record, as
                        NOHUPX_NO_RECORD=1 does; the small process then
                        exits at once. Refused with --on-exit, which needs
                        the record (under NOHUPX_NO_RECORD=1, --on-exit only
                        warns that it will not run)
  -u, --user=USER[:GROUP]
                      run COMMAND as USER (root only), with USER's groups;
                        the pidfile, the log and the job record are still
                        the caller's
      --no-scope      leave COMMAND in the login session, even where logind
                        kills the session's processes when it ends
      --linger        ask logind to turn linger on for you (as 'loginctl
                        enable-linger' does), so that COMMAND outlives your
                        last logout; says so plainly if polkit refuses
      --help          display this help and exit
      --version       output version information and exit

COMMAND is recorded in $XDG_STATE_HOME/nohupx/jobs (~/.local/state/...),
where 'nohupx --jobs', --log, --wait and --kill find it. To record its exit
status, a small process (nohupx:detach) stays COMMAND's parent until it
exits: the leader of COMMAND's session and process group, which catches
the signals sent to the group. Neither that process nor a failure to
record stops COMMAND: a record that cannot be written is a warning.

Unlike nohup, a command run by %[1]s survives even if it resets its signal
handlers (Go, Java, Node.js programs): it is no longer in the shell's
process group or session, so the shell's SIGHUP and SIGTERM never reach it.
Where systemd-logind kills a session's processes when it ends
(KillUserProcesses=yes), %[1]s also moves itself, and so COMMAND and its
relay, out of the session into a scope of your systemd user manager,
detach-PID.scope after its own pid, as 'systemd-run --user --scope' does
('systemctl --user status' with COMMAND's pid finds it). It lives as long
as your user manager: with linger off, only until your last session ends,
which %[1]s says before COMMAND starts. Where logind kills nothing,
nothing moves.

Exit status:
  0    COMMAND was started (with --ready: it reported READY=1)
  1    with --ready, COMMAND exited with status 0 before READY=1
  124  with --ready, the --timeout passed first
  125  %[1]s itself failed (bad option, --chdir, log, pidfile held)
  126  COMMAND was found but could not be run
  127  COMMAND was not found
  -    with --wait, or with --ready if COMMAND exits first, its status
`

func writeHelp(w io.Writer, prog string) error {
	_, err := fmt.Fprintf(w, helpText, prog)
	return err
}

func writeVersion(w io.Writer) error {
	_, err := fmt.Fprintf(w, "detach (nohupx) %s\n", version.Version)
	return err
}
