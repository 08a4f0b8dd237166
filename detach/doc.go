// Package detach is the detach applet: it makes a command fully independent
// of the terminal and the shell that started it, with the classic daemon
// sequence (fork, setsid, fork, chdir, umask, close fds, reopen 0–2), and
// tells the caller the truth about whether the command could be run.
//
// Invoked as setsid, it is a drop-in for util-linux setsid(1) 2.38 instead
// (SetsidMain), statuses, messages and all.
package detach
