// Package reattach is the reattach-sock applet: it makes tmux, screen,
// abduco and Emacs servers reachable again after their socket, or its
// directory, was deleted while they ran.
//
// Synopsis:
//
//	reattach-sock [OPTION]... [tmux|screen|abduco|emacs|PID]...
//
// Discovery (find_linux.go) reads /proc for server processes and asks
// NETLINK_SOCK_DIAG for each listening socket's bound path and the inode of
// its socket file, so that a stat(2) of the path proves whose file is on
// disk; find_darwin.go parses lsof and can only infer it. Each server is
// reachable, or its socket was deleted, its directory was deleted, a stale
// file is in its way, a newer live server has taken its path, or its
// directory is unsafe (classify.go).
//
// Recovery (recover.go) creates missing directories 0700 for the server's
// user and never changes an existing one; holds tmux's <socket>.lock from
// the check to the verification; signals tmux and abduco with SIGUSR1 and
// screen with SIGCHLD only after its directory exists (screen ends the
// session otherwise); and proves the result by connecting, except to
// screen, which a connection can kill while its directory is being deleted:
// screen is proved through the kernel alone (mayProbe).
//
// --watch (watch.go) repairs deletions as inotify or kqueue reports them,
// logs who deleted what (fanotify as root on Linux; a hint otherwise), and
// holds flock(LOCK_SH) on socket directories so systemd-tmpfiles skips them.
//
// Options: --list, --json, --dry-run, --watch, --no-protect,
// --emacs-signal, --all-users, --user=NAME, --under=DIR, --timeout=D,
// --help, --version.
//
// Exit status: 0 when every server asked for is reachable at the end, 1
// when one is not (with the reason), 2 for usage errors.
package reattach
