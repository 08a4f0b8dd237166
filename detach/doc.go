// Package detach is the detach applet: it makes a command fully independent
// of the terminal and the shell that started it, and tells the caller the
// truth about whether the command could be run.
//
// It follows the classic daemon sequence; the comments in this package
// refer to its steps by number:
//
//  1. fork, and setsid(2) in the child: the session stage leads a new
//     session and process group, with no controlling terminal;
//  2. fork again: the command is the stage's child, never a session
//     leader, so it can never acquire a terminal by opening one;
//  3. chdir, to / unless --chdir says otherwise, so that no mount is kept
//     busy;
//  4. set the umask, when --umask asks for one;
//  5. pass the command no descriptor but 0-2, unless --keep-fds;
//  6. standard input from /dev/null;
//  7. standard output and error to the log, or /dev/null;
//  8. every signal back to SIG_DFL but SIGHUP, which is ignored, and an
//     empty signal mask.
package detach
