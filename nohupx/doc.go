// Package nohupx is the nohup applet: a drop-in for GNU coreutils nohup.
//
// Synopsis:
//
//	nohupx [OPTION]... COMMAND [ARG]...
//
// It ignores SIGHUP (and, on request, more signals), replaces whichever of
// stdin, stdout and stderr are terminals (stdin by /dev/null opened
// write-only, stdout by nohup.out appended, stderr by stdout), and then
// execs COMMAND in place, so that COMMAND keeps nohupx's pid: $! and wait
// work as they do with nohup. Messages, quoting and exit statuses are GNU's.
// Where systemd-logind kills a login session's processes at logout, it
// first moves itself out of the session into a scope of the user's systemd
// manager (scope.go, package internal/logind).
//
// Options: see helpText, and man/nohupx.1.
//
// Exit status: 125 for nohupx's own failure (127 with POSIXLY_CORRECT), 126
// when COMMAND cannot be invoked, 127 when it is not found, else COMMAND's.
package nohupx
