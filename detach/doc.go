// Package detach is the detach applet: it makes a command fully independent
// of the terminal and the shell that started it, with the classic daemon
// sequence (fork, setsid, fork, chdir, umask, close fds, reopen 0–2), and
// tells the caller the truth about whether the command could be run.
package detach
