package logrot

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"github.com/nohupx/nohupx/internal/safedir"
)

// sink writes the relay's stream into the live file and rotates it. It
// works relative to a descriptor of the log's directory and touches only
// what it created or was asked to write:
//   - the live file is opened with O_NOFOLLOW and used only if it is a
//     regular file owned by the job's user; it is only ever appended to;
//   - a new live file is created O_EXCL (O_TMPFILE where the filesystem
//     has it), never over an existing name;
//   - a rotation exchanges the new file with the live one
//     (renameat2(RENAME_EXCHANGE)), so that the live name always exists
//     and tail -F never sees it missing, then renames the old one to a
//     backup name with RENAME_NOREPLACE;
//   - retention and gzip act only on backup names of this file that are
//     regular files of the job's user with one link (see mill).
//
// Every write of stream data is noted in the journal first (see
// journal.writing), so that a writer killed at any moment can be followed
// by one that neither loses nor repeats a byte.
//
// A chunk that cannot be written is counted and dropped, so that the pipe
// keeps draining; when writing works again, one line says how much was
// lost, when, and why.
//
// Write, RotateNow and Close may be called from different goroutines.
type sink struct {
	dir, base string // the log directory (absolute) and the live file's name in it
	uid       int    // the job's user: the only owner of files we rotate
	max       int64  // the live file never passes max bytes
	policy    Policy
	j         journal

	// now is the clock for backup names and notes; alert tells the
	// places a user looks when the log cannot be written (alert_linux.go).
	now   func() time.Time
	alert func(msg string)

	mu        sync.Mutex
	dirfd     int
	f         int // the live file, -1 when none is open
	dev, ino  uint64
	size      int64
	lastByte  byte // the last byte written to the log
	shared    bool // another relay has rotated this file
	names     *backupNamer
	mill      *mill
	notes     []string
	drop      dropLog
	stuck     string // why the live name cannot be used, once alerted
	tmpSeq    int    // the counter in temporary names
	lockHeld  bool   // the directory's lock was held by another past lockWait
	rotations int    // rotations made, for Close to tell whether its notes made one
}

// dropLog is the account of one stretch of lost output.
type dropLog struct {
	bytes        int64
	first, last  time.Time
	why, lastWhy string
}

// source is where stream data comes from: bytes written to the file (or
// dropped) are consumed from it only then, so that bytes a killed writer
// had not written are still there for the next one.
type source interface {
	queued() int64 // bytes waiting in the private pipe, the chunk included
	consume(n int64) error
}

// lineWindow bounds the search for a line end to finish a file on.
const lineWindow = 4096

func newSink(dirfd int, dir, base string, p Policy, j journal) *sink {
	s := &sink{
		dir: dir, base: base, uid: unix.Geteuid(), max: p.MaxSize, policy: p, j: j,
		now: time.Now, alert: func(string) {},
		dirfd: dirfd, f: -1, lastByte: '\n',
		names: newBackupNamer(dirfd, base),
	}
	return s
}

func (s *sink) path() string { return filepath.Join(s.dir, s.base) }

// Open opens the live file, finishes what a killed writer left (a
// half-done rotation), and starts the mill.
func (s *sink) Open() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	unlock := s.lockDir()
	s.recoverRotation()
	unlock()
	s.names.scan(s.owned)
	if n, first, last := s.j.drops(); n > 0 {
		s.drop = dropLog{bytes: n, first: first, last: last, why: "the relay was restarted"}
	}
	s.mill = startMill(s)
	s.mill.poke() // backups an earlier run left
	return s.reopen(false)
}

// Write writes p, consuming it from src as it goes, or counts what it
// could not write as dropped. It never fails: the relay must go on
// reading whatever happens to the file.
func (s *sink) Write(p []byte, src source) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.ready(); err != nil {
		s.dropped(p, src, err)
		return
	}
	if err := s.flushNotes(); err != nil {
		s.dropped(p, src, err)
		return
	}
	if n, err := s.put(p, src); err != nil {
		s.dropped(p[n:], src, err)
	}
}

// RotateNow rotates unless the live file is empty (USR1 sent repeatedly
// would otherwise push the real backups out of Keep with empty ones).
func (s *sink) RotateNow() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.ready(); err != nil {
		return err
	}
	if s.size == 0 {
		return nil
	}
	return s.rotate()
}

// Finish writes any pending note, flushes the live file to disk and marks
// the journal done: all the output is on disk. A loss that can still not
// be recorded in the log goes to alert.
func (s *sink) Finish() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	err := s.flushAll()
	if s.f >= 0 {
		if serr := unix.Fsync(s.f); serr != nil && !errors.Is(serr, unix.EINVAL) && err == nil {
			err = serr
		}
	}
	s.j.setState(stDone)
	return err
}

// Close waits for the mill, writes what it noted, and closes the file.
// Writing the notes of its last pass can fill the live file and rotate it
// once more, past that pass: then it makes another pass, and writes its
// notes, a few times at most (a note is a line; a file holds many).
func (s *sink) Close() error {
	s.mu.Lock()
	m := s.mill
	s.mill = nil // a rotation from here on pokes no mill: it is closing
	s.mu.Unlock()
	if m != nil {
		m.close()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var err error
	for range 3 {
		if len(s.notes) == 0 {
			break
		}
		n := s.rotations
		err = s.flushAll()
		if s.rotations == n || m == nil {
			break
		}
		s.mu.Unlock()
		m.pass()
		s.mu.Lock()
	}
	s.closeFile()
	return err
}

// flushAll writes the pending notes, if the log can be written, and
// alerts about a loss that could not be written.
func (s *sink) flushAll() error {
	if s.drop.bytes == 0 && len(s.notes) == 0 {
		return nil
	}
	err := s.ready()
	if err == nil {
		err = s.flushNotes()
	}
	if err != nil && s.drop.bytes > 0 {
		s.alert(fmt.Sprintf("%s; the relay is exiting: %v", s.dropLine(), err))
	}
	return err
}

func (s *sink) closeFile() {
	if s.f >= 0 {
		unix.Close(s.f)
		s.f = -1
	}
}

// owned reports whether st is a file the relay may rotate: a regular file
// of the job's user with one link (a second link would be a name the
// relay did not make).
func (s *sink) owned(st *unix.Stat_t) bool {
	return st.Mode&unix.S_IFMT == unix.S_IFREG && int(st.Uid) == s.uid && st.Nlink == 1
}

// ready makes sure a file is open and is still the one at the live name.
func (s *sink) ready() error {
	if s.f < 0 {
		return s.reopen(false)
	}
	var st unix.Stat_t
	err := unix.Fstatat(s.dirfd, s.base, &st, unix.AT_SYMLINK_NOFOLLOW)
	switch {
	case err == nil && st.Dev == s.dev && st.Ino == s.ino:
		return nil
	case err == nil && s.owned(&st):
		// The file was rotated by another relay on the same log (or by
		// logrotate): follow it to the new file.
		s.shared = true
		s.closeFile()
		return s.reopen(false)
	case err == nil:
		// Something that is not ours took the name (a symlink, another
		// user's file). If our file was moved away, it is still on disk:
		// keep appending to it, and say so. If it was removed, what we
		// wrote would go where no one can read it: that is a loss, and
		// Write reports it as one.
		var our unix.Stat_t
		if unix.Fstat(s.f, &our) == nil && our.Nlink == 0 {
			return fmt.Errorf("%s was removed, and something that is not a file of the job's user "+
				"has its name now, which the relay does not write", s.path())
		}
		s.stuckAt(fmt.Sprintf("%s was replaced by something that is not a file of the job's user; "+
			"output goes on into the file that had the name", s.path()))
		return nil
	case errors.Is(err, unix.ENOENT), errors.Is(err, unix.ENOTDIR):
		// The file was removed, perhaps with its directory: what we
		// wrote now would go to a file no one can see.
		s.closeFile()
		return s.reopen(true)
	default:
		return nil // cannot tell (EACCES on the directory): keep the open file
	}
}

func (s *sink) stuckAt(why string) {
	if s.stuck != why {
		s.stuck = why
		s.alert(why)
	}
}

// reopen opens the live file for appending, creating the directory
// (0700: the relay writes one user's output) and the file (0600) if they
// are gone. lost says the file was being written when it disappeared.
func (s *sink) reopen(lost bool) error {
	created, err := s.redir()
	if err != nil {
		return err
	}
	unlock := s.lockDir()
	defer unlock()
	return s.reopenLocked(lost && !created) // the directory's note says it
}

func (s *sink) reopenLocked(lost bool) error {
	fd, err := unix.Openat(s.dirfd, s.base, unix.O_WRONLY|unix.O_APPEND|unix.O_NOFOLLOW|unix.O_NONBLOCK|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if errors.Is(err, unix.ENOENT) {
		if lost {
			s.notes = append(s.notes, fmt.Sprintf("the log file %s was removed at about %s; output continues in a new file",
				s.path(), stamp(s.now())))
		}
		fd, err = unix.Openat(s.dirfd, s.base, unix.O_WRONLY|unix.O_APPEND|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o600)
		if errors.Is(err, unix.EEXIST) { // made meanwhile by another relay: use theirs
			return s.reopenLocked(false)
		}
	}
	if err != nil {
		return fmt.Errorf("open %s: %w", s.path(), err)
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil || !s.owned(&st) {
		unix.Close(fd)
		return fmt.Errorf("%s: not a regular file of the job's user any more, so it is not written", s.path())
	}
	_, _ = unix.FcntlInt(uintptr(fd), unix.F_SETFL, unix.O_WRONLY|unix.O_APPEND) // blocking again
	s.f, s.dev, s.ino, s.size = fd, st.Dev, st.Ino, st.Size
	s.lastByte = s.lastByteOf(&st)
	if st.Size >= s.max {
		return s.rotateLocked()
	}
	return nil
}

// lastByteOf is the last byte of the live file st (a newline if it is
// empty or cannot be read), so that a note written after another writer's
// output starts on a line of its own. It reads only that file, and only if
// the name still holds it.
func (s *sink) lastByteOf(st *unix.Stat_t) byte {
	if st.Size == 0 {
		return '\n'
	}
	fd, err := unix.Openat(s.dirfd, s.base, unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_NONBLOCK|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		return '\n'
	}
	defer unix.Close(fd)
	var now unix.Stat_t
	var b [1]byte
	if unix.Fstat(fd, &now) != nil || now.Dev != st.Dev || now.Ino != st.Ino {
		return '\n'
	}
	if n, err := unix.Pread(fd, b[:], now.Size-1); err != nil || n != 1 {
		return '\n'
	}
	return b[0]
}

// redir recreates the log directory if it was removed, and reopens it.
func (s *sink) redir() (created bool, err error) {
	var st unix.Stat_t
	if err := unix.Fstat(s.dirfd, &st); err == nil && st.Nlink > 0 {
		return false, nil
	}
	fd, err := s.remakeDir()
	if err != nil {
		return false, fmt.Errorf("recreate the log directory %s: %w", s.dir, err)
	}
	unix.Close(s.dirfd)
	s.dirfd, s.names.dirfd = fd, fd
	s.notes = append(s.notes, fmt.Sprintf("the log directory %s was removed; recreated it (mode 0700) at %s",
		s.dir, stamp(s.now())))
	return true, nil
}

// remakeDir makes the removed log directory again, with any directory
// above it that went too (mode 0700), and opens it. The directory's name
// was made canonical when the relay started (no symbolic link in it), and
// safedir walks it without following a link, through directories where no
// other user can rename or remove an entry: one who can could have put a
// link or a directory of their own there, to have the relay write where
// they choose.
func (s *sink) remakeDir() (int, error) {
	fd, _, err := safedir.Open(s.dir, s.uid, func(string) safedir.Mode { return safedir.Mode{UID: -1, Perm: 0o700} })
	return fd, err
}

// lockWait bounds the wait for the log directory's lock. Relays hold it
// for a rename or two; anyone who can open the directory can hold it for
// ever, and the job must not stall behind them.
var lockWait = 200 * time.Millisecond

// lockDir takes an flock on the log directory, so that relays sharing a
// log file rotate one at a time. A filesystem without locks, or a lock
// held past lockWait, goes on unlocked (noted once), which only loses the
// ordering between such relays.
func (s *sink) lockDir() (unlock func()) {
	fd, err := unix.Openat(s.dirfd, ".", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return func() {}
	}
	wait := lockWait
	if s.lockHeld {
		wait = 0 // it was held past lockWait last time: try once, do not stall again
	}
	deadline := time.Now().Add(wait)
	for {
		err := unix.Flock(fd, unix.LOCK_EX|unix.LOCK_NB)
		if !errors.Is(err, unix.EWOULDBLOCK) && !errors.Is(err, unix.EINTR) {
			s.lockHeld = false
			break
		}
		if time.Now().After(deadline) {
			s.lockHeld = true
			s.stuckAt(fmt.Sprintf("the directory of %s has been locked by another process for over %v; "+
				"rotating without its lock", s.path(), lockWait))
			break
		}
		time.Sleep(time.Millisecond)
	}
	return func() { unix.Close(fd) } // closing unlocks
}

// put writes p through the rotation rules and returns how much of it it
// wrote. With src, each piece is noted in the journal before it is written
// and consumed from src after.
func (s *sink) put(p []byte, src source) (int, error) {
	done := 0
	for len(p) > 0 {
		if s.f < 0 {
			if err := s.reopen(false); err != nil {
				return done, err
			}
		}
		n := len(p)
		if room := s.max - s.size; int64(n) > room {
			if cut := lineCut(p, room); cut > 0 {
				n = cut // finish this file on a line boundary
			} else if s.size > 0 {
				if err := s.rotate(); err != nil {
					if s.f < 0 {
						return done, err
					}
					// Cannot rotate: append past the limit rather than lose output.
					s.stuckAt(fmt.Sprintf("cannot rotate %s: %v; appending past --max-size", s.path(), err))
				} else {
					continue
				}
			} else {
				n = int(room) // one chunk larger than a whole file: split it
			}
		}
		if src != nil {
			s.j.writing(s.dev, s.ino, s.size, int64(n), src.queued())
		}
		w, err := writeAll(s.f, p[:n])
		s.size += int64(w)
		done += w
		if w > 0 {
			s.lastByte = p[w-1]
		}
		if src != nil {
			if cerr := src.consume(int64(w)); cerr != nil && err == nil {
				err = cerr
			}
			s.j.setState(stIdle)
		}
		if err != nil {
			return done, err
		}
		p = p[n:]
	}
	return done, nil
}

func writeAll(fd int, p []byte) (int, error) {
	done := 0
	for done < len(p) {
		n, err := rawWrite(fd, p[done:])
		if n > 0 {
			done += n
		}
		switch {
		case errors.Is(err, unix.EINTR):
		case err != nil:
			return done, err
		case n == 0:
			return done, unix.EIO
		}
	}
	return done, nil
}

// lineCut is the length of the longest prefix of p that fits in room bytes
// and ends with a newline found within lineWindow of room, or 0.
func lineCut(p []byte, room int64) int {
	if room <= 0 {
		return 0
	}
	end := int(min(room, int64(len(p))))
	start := max(0, end-lineWindow)
	if i := bytes.LastIndexByte(p[start:end], '\n'); i >= 0 {
		return start + i + 1
	}
	return 0
}

// flushNotes writes the account of dropped data and the pending notes, as
// whole lines, before any more data.
func (s *sink) flushNotes() error {
	if s.drop.bytes == 0 && len(s.notes) == 0 {
		return nil
	}
	var b bytes.Buffer
	if s.lastByte != '\n' {
		b.WriteByte('\n')
	}
	if s.drop.bytes > 0 { // it began before anything noted
		b.WriteString(s.dropLine() + "\n")
	}
	for _, n := range s.notes {
		fmt.Fprintf(&b, "nohupx: %s\n", n)
	}
	if _, err := s.put(b.Bytes(), nil); err != nil {
		return err
	}
	s.notes, s.drop = nil, dropLog{}
	s.j.setDrops(0, time.Time{}, time.Time{})
	return nil
}

func (s *sink) dropLine() string {
	d := s.drop
	why := d.why
	if d.lastWhy != "" {
		why += "; last error: " + d.lastWhy
	}
	return fmt.Sprintf("nohupx: dropped %d bytes of output between %s and %s: %s",
		d.bytes, stamp(d.first), stamp(d.last), why)
}

// dropped counts p, which could not be written because of err, and
// consumes it from src: the pipe must keep draining.
func (s *sink) dropped(p []byte, src source, err error) {
	if len(p) == 0 {
		return
	}
	t := s.now()
	if s.drop.bytes == 0 {
		s.drop.first, s.drop.why = t, err.Error()
		s.alert(fmt.Sprintf("cannot write %s, dropping output until it works again: %v", s.path(), err))
	} else if msg := err.Error(); msg != s.drop.why {
		s.drop.lastWhy = msg
	}
	s.drop.bytes += int64(len(p))
	s.drop.last = t
	s.j.setDrops(s.drop.bytes, s.drop.first, s.drop.last)
	if src != nil {
		_ = src.consume(int64(len(p)))
	}
}

func stamp(t time.Time) string {
	return t.Format("2006-01-02T15:04:05.000Z07:00")
}
