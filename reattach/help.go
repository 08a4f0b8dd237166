package reattach

import (
	"fmt"
	"io"

	"github.com/nohupx/nohupx/internal/version"
)

const helpText = `Usage: %[1]s [OPTION]... [tmux|screen|abduco|emacs|PID]...
Make your tmux, screen, abduco and Emacs sessions reachable again after
their socket was deleted.

Your session is still running, but 'tmux attach' says
  error connecting to /tmp/tmux-1000/default (No such file or directory)
or 'screen -r' says there is no screen to resume. Something deleted the
server's socket, or its whole directory, while the server kept running: a
cleaner of /tmp (systemd-tmpfiles, macOS's dirhelper) or an 'rm -rf /tmp/*'.
Your windows and programs are all still there. %[1]s finds the servers
still running, recreates their directory (mode 0700, owned by you), makes
each server bind its socket again (tmux and abduco: SIGUSR1; screen:
SIGCHLD, and only once its directory exists, because screen ends the
session otherwise), and checks that it answers again. It never connects to
a screen session: at the wrong moment that too can end it.

It never changes a directory that exists, never follows a symbolic link,
and never signals a server whose path another live server has taken,
since that would cut the other one off: it says why and leaves it alone.
With no operand every server of yours is examined; name kinds or pids to
choose.

  -l, --list          show each server and its state; change nothing
      --json          print the list, or what was done, as JSON
  -n, --dry-run       say what would be done; change nothing
  -w, --watch         keep running: repair each deletion as it happens, log
                        when it happened and who did it (as root, on Linux)
                        or the likely culprit, lock the socket directories
                        so systemd-tmpfiles skips them, and pick up servers
                        started later
      --no-protect    with --watch, do not lock the socket directories
      --emacs-signal  send SIGUSR1 to Emacs servers (they need the handler
                        below)
  -a, --all-users     the servers of every user (root only)
  -u, --user=NAME     the servers of user NAME (root only)
      --under=DIR     only servers whose socket is in DIR or below
      --timeout=D     wait up to D (2s, 500ms) for tmux's lock and for a
                        server to answer; default 2s
      --help          display this help and exit
      --version       output version information and exit

States: reachable; socket deleted; directory deleted; stale file (a file is
there but nobody answers on it); path taken (another live server owns the
path); unsafe directory (a symbolic link, another user's, or permissions
the clients refuse: fix it yourself); unreachable; exited.

Emacs binds its socket again on SIGUSR1 only with this in your init file:
  %[2]s
dtach cannot bind its socket again at all.

Exit status:
  0  every server asked for is reachable at the end
  1  some server is not (the reason is printed)
  2  usage error
`

// emacsHandlerLines is EmacsHandler broken over lines that fit in 80
// columns; Lisp reads it the same (help_test.go checks that it is the same
// form).
const emacsHandlerLines = `(define-key special-event-map [sigusr1]
    (lambda () (interactive)
      (let ((server-clients nil)) (server-start nil t))))`

func writeHelp(w io.Writer, prog string) error {
	_, err := fmt.Fprintf(w, helpText, prog, emacsHandlerLines)
	return err
}

func writeVersion(w io.Writer) error {
	_, err := fmt.Fprintf(w, "reattach-sock (nohupx) %s\n", version.Version)
	return err
}
