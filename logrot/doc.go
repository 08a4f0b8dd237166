// Package logrot is the rotating relay behind nohupx's output file.
//
// Synopsis:
//
//	w, err := logrot.Start("/home/u/nohup.out", logrot.DefaultPolicy)
//	// dup2 w onto 1 and 2, close w, exec the command
//
//	ps -o pid,args -C nohupx-relay   # nohupx:relay /home/u/nohup.out
//	kill -USR1 PID                   # rotate now (or logrot.RotateNow)
//
// Start puts a pipe between the command and its output file. A relay
// process drains the pipe into the file through lumberjack
// (gopkg.in/natefinch/lumberjack.v2): the live file keeps its name, and
// backups are named beside it, nohup-2006-01-02T15-04-05.000.out, in UTC.
//
// The relay is detached from everything the command belongs to. Go cannot
// fork, so Start re-executes the binary (/proc/self/exe) twice: the stage
// SpawnStage runs in a new session (setsid) and starts RelayStage, then
// exits and is reaped by Start. The relay is therefore not the command's
// child, not in its process group or session, not a session leader (so it
// can never acquire a controlling terminal), has cwd /, /dev/null as
// stdin/stdout/stderr and no other inherited descriptor. The request goes
// over an inherited pipe; the relay answers with one status line once the
// file is open for appending, and Start returns the write end then.
//
// Policy (see Policy): rotate before the live file would pass MaxSize
// (rounded up to a whole MiB, since lumberjack counts MiB); keep Keep
// backups (0 keeps all), none older than MaxAge (rounded up to whole days),
// gzipped with Compress. The relay applies Keep, MaxAge and Compress
// itself, in the background, and finishes before it exits (lumberjack's
// own mill cannot be waited for). Defaults: DefaultPolicy, 100M × 5. New files are
// created 0600; an existing file is appended to and never truncated, and a
// rotated file's mode and owner carry over to the new live file. A rotation
// ends the live file on a line boundary when one is near.
//
// Signals: the relay ignores HUP, INT, TERM, QUIT, TSTP, TTIN, TTOU, PIPE
// and XFSZ; the command owns the lifetime. SIGUSR1 rotates now (unless the
// live file is empty). The relay exits when every writer has closed the
// pipe (descendants of the command that keep it open keep the relay too)
// and the file has been fsync'ed.
//
// Nothing is lost: every byte written to w appears once, in order, in the
// backups (in name order) followed by the live file.
//   - Backup names: lumberjack would rename the live file to a name with
//     millisecond resolution, over any file of that name. The relay moves
//     the file aside itself with renameat2(RENAME_NOREPLACE), at a time that
//     is strictly after its previous backup's, creates the new live file
//     and has lumberjack open it; lumberjack's own size limit is set 1 GiB
//     above the relay's, so lumberjack never renames or creates a file, and
//     every file it writes is open O_APPEND. The backup times run ahead of
//     the clock while rotations come faster than one a millisecond, and stay
//     in order if the clock is stepped back.
//   - Writes larger than MaxSize are split; lumberjack never sees one.
//   - Disk full, or a file that cannot be written: the relay keeps reading
//     (the command never blocks on a full pipe and never gets SIGPIPE),
//     counts the bytes it drops, retries with every later chunk, and then
//     writes one line: "nohupx: dropped N bytes of output between T1 and
//     T2: REASON". The first failure of such a stretch goes to syslog.
//   - Before each chunk the relay checks that the path still names the
//     file it writes. If the file or its directory was removed, it
//     recreates them (directories 0700, not lumberjack's 0755) and says so
//     in the new file; if it cannot, the data is dropped and counted as
//     above. Bytes written in the instant between the check and the
//     removal go to the removed file.
//   - Relays sharing one log file (two nohupx jobs in one directory) append
//     with O_APPEND, take an flock on the directory to rotate, and follow
//     each other's rotations. Files then pass MaxSize by up to a chunk (1
//     MiB) per other relay.
//
// Files: /proc/PID/cmdline is how FindRelays, ListRelays and RotateNow
// find relays (Linux only; elsewhere they and Start return
// errors.ErrUnsupported).
//
// Exit status of the relay: 0 after EOF, 1 if it could not start or could
// not finish its file; nobody waits for it.
package logrot
