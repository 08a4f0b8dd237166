// Package logrot is the rotating relay behind nohupx's output file.
//
// Synopsis:
//
//	out, _ := logrot.OpenOutput("nohup.out", logrot.DefaultPolicy, true)
//	// dup2 out.W onto 1 and 2, out.Close(), exec the command
//
//	ps -o pid,args -C nohupx-relay   # nohupx:relay /home/u/nohup.out
//	                                 # nohupx:relay-hold /home/u/nohup.out
//	kill -USR1 WRITER-PID            # rotate now (or logrot.RotateNow)
//
// Start puts a pipe between the command and its output file. Two detached
// processes serve it:
//   - the holder (nohupx:relay-hold) keeps the pipe's read end open and does
//     nothing else, so it has nothing to fail at;
//   - the writer (nohupx:relay) moves the output into the file and rotates
//     it.
//
// Each watches the other through a pidfd and starts it again when it dies,
// so a SIGKILL of either, at any moment, costs the command nothing: it never
// sees EPIPE, and what is in the pipe waits for the new writer, which
// starts within a second. The writer takes a chunk from the pipe into a
// private pipe that both hold, copies it out with tee(2), and consumes it
// only once it is in the file; a journal in a memfd that both hold says what
// it was writing, so that its successor neither loses nor repeats a byte
// (see pump_linux.go). Killing both at once is killing the reader of a pipe:
// the command's next write gets SIGPIPE, as it would after killing 'cat'
// in 'cmd | cat > file'. So is a catchable signal (TERM, say) sent to both
// in the first milliseconds of their life, before they ignore it.
//
// Go cannot fork, so Start re-executes the binary (/proc/self/exe): the
// stage SpawnStage runs in a new session (setsid), starts the holder and
// the writer, and exits; Start reaps it. From then on two processes hold
// the pipe, before either has even initialised. No
// relay process is the command's child, in its process group or session,
// or a session leader (so none can acquire a controlling terminal); they
// have cwd /, /dev/null as stdin, stdout and stderr, and no descriptor of
// the caller's but the pipe, the log's directory and the journal.
//
// Policy: rotate before the live file would pass MaxSize bytes (earlier
// when a line ends within 4 KiB of it); keep the first backup of the job
// and the Keep newest of the file (0 keeps all; an earlier job's count
// once this job has rotated), none older than MaxAge; gzip them with
// Compress. Every removal is noted in the live file. Backups are named
// beside the live file, nohup-2026-01-02T15-04-05.000Z.out (UTC).
//
// Files: the relay works relative to a descriptor of the log's directory.
// It rotates only a regular file of the job's user with one link, reached
// without a symbolic link, in a directory where no other user can rename
// it (Start refuses the rest with ErrNotRotatable, and
// the caller appends to it as GNU nohup does). It creates files only with
// O_EXCL or O_TMPFILE, renames only with RENAME_EXCHANGE or
// RENAME_NOREPLACE, and reads, gzips or removes only backup names that are
// regular files of that user with one link, opened with O_NOFOLLOW. The live
// name always exists: a rotation exchanges a new, empty file with it.
//
// Loss: when the file cannot be written (disk full), the writer keeps
// draining the pipe (the command never blocks on it), counts what it drops,
// and writes one line into the log once it can: "nohupx: dropped N bytes of
// output between T1 and T2: REASON". Until then, and if it never can, the
// count goes to the relay log in the user's state directory (StateLog) and
// to the system log.
//
// Signals: the relay processes ignore HUP, INT, TERM, QUIT, TSTP, TTIN,
// TTOU, PIPE and XFSZ; the command owns the lifetime. SIGUSR1 to the writer
// rotates now (unless the live file is empty). They exit when every writer
// of the pipe has closed it and all of it is on disk (fsync'ed); retention
// and gzip may take the writer a moment longer.
//
// /proc/PID/cmdline is how FindRelays, Serving, ListRelays and RotateNow
// find relays. The relay is Linux only; elsewhere Start returns
// errors.ErrUnsupported and the caller appends as GNU nohup does.
//
// Exit status of the relay processes: 0 after EOF, 1 if they could not
// start or finish; nobody waits for them.
package logrot
