package logrot

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"golang.org/x/sys/unix"
	"gopkg.in/natefinch/lumberjack.v2"
)

// sink writes the relay's stream to the log file through lumberjack, which
// appends (every file it opens exists already, so it opens it O_APPEND)
// and runs its mill (Keep, MaxAge, Compress). The sink decides everything
// that could lose data itself:
//   - It rotates before a chunk would take the live file past max: it moves
//     the file aside under a name no file has (backupNamer), creates the
//     new live file and has lumberjack open it. lumberjack's own limit is
//     set 1 GiB higher, so that its own rename, which can overwrite a
//     backup, and its own create, which is not O_APPEND, never run.
//   - It never lets lumberjack open a file it cannot append to (lumberjack
//     would rename it away and start a new one) or a non-regular file.
//   - Before each chunk it checks that the path still names the file being
//     written (lumberjack would write on into an unlinked file after the
//     directory is removed) and recreates what is missing, or follows
//     another relay's rotation of a shared file.
//   - A chunk that cannot be written is counted and dropped, so that the
//     pipe keeps draining; when writing works again, one line says how much
//     was lost, when, and why.
//
// Write, RotateNow and Close may be called from different goroutines.
type sink struct {
	path   string
	dir    string
	max    int64 // the live file is rotated before it would pass max bytes
	policy Policy

	// now is the clock for backup names and notes; alert tells the system
	// log, the only place a detached relay can say something when the log
	// cannot be written.
	now   func() time.Time
	alert func(msg string)

	mu       sync.Mutex
	lj       *lumberjack.Logger
	names    *backupNamer
	mill     *mill
	open     bool    // lj has a file open, whose identity and size follow
	dev, ino uint64  // identity of that file
	size     int64   // its size as lumberjack counts it
	lastByte byte    // the last byte written to the log
	shared   bool    // another relay has rotated this file
	drop     dropLog // data lost since writing last worked
	notes    []string
}

// dropLog is the account of one stretch of lost output.
type dropLog struct {
	bytes        int64
	first, last  time.Time
	why, lastWhy string
}

// lineWindow bounds the search for a line end to finish a file on, so that
// output without newlines costs no scan of a whole chunk at each rotation.
const lineWindow = 4096

func newSink(path string, p Policy) *sink {
	p = p.Rounded()
	return &sink{
		path:   path,
		dir:    filepath.Dir(path),
		max:    p.MaxSize,
		policy: p,
		now:    time.Now,
		alert:  syslogAlert,
		names:  newBackupNamer(path),
		lj: &lumberjack.Logger{
			Filename: path,
			// A safety net that is never reached (see sink); Keep, MaxAge
			// and Compress are applied by the sink's own mill, which the
			// relay can wait for before it exits.
			MaxSize: int(p.MaxSize/MiB) + 1024,
		},
		lastByte: '\n',
	}
}

// Open opens the log file for appending, as the relay must before it
// reports that it has started.
func (s *sink) Open() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.names.scan()
	s.mill = startMill(s.names, s.policy, s.now)
	s.mill.poke() // backups an earlier run left
	return s.reopen(false)
}

// Write writes p, or counts what it could not write as dropped. It never
// fails: the relay must go on reading whatever happens to the file.
func (s *sink) Write(p []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.ready(); err != nil {
		s.dropped(len(p), err)
		return
	}
	if err := s.flushNotes(); err != nil {
		s.dropped(len(p), err)
		return
	}
	if n, err := s.put(p); err != nil {
		s.dropped(len(p)-n, err)
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

// Close writes any pending note, flushes the live file to disk and closes
// it. A loss that can still not be recorded in the log goes to syslog.
func (s *sink) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var err error
	if s.drop.bytes > 0 || len(s.notes) > 0 {
		// Only then: a log directory removed after the last output stays
		// removed.
		if err = s.ready(); err == nil {
			err = s.flushNotes()
		}
		if err != nil && s.drop.bytes > 0 {
			s.alert(fmt.Sprintf("%s; the relay is exiting: %v", s.dropLine(), err))
		}
	}
	if s.open {
		// fsync on any descriptor of the inode flushes its data; lumberjack
		// does not expose its own.
		if f, err := os.Open(s.path); err == nil {
			f.Sync()
			f.Close()
		}
	}
	if cerr := s.lj.Close(); err == nil {
		err = cerr
	}
	s.open = false
	if s.mill != nil {
		s.mill.close()
		s.mill = nil
	}
	return err
}

// ready makes sure a file is open and is still the one at path.
func (s *sink) ready() error {
	if !s.open {
		return s.reopen(false)
	}
	var st unix.Stat_t
	err := unix.Stat(s.path, &st)
	switch {
	case err == nil && uint64(st.Dev) == s.dev && uint64(st.Ino) == s.ino:
		return nil
	case err == nil:
		// The file was moved: by another relay on the same log (or
		// logrotate). Follow it to the new file.
		s.shared = true
		s.closeFile()
		return s.reopen(false)
	case errors.Is(err, unix.ENOENT), errors.Is(err, unix.ENOTDIR):
		// The file was removed, perhaps with its directory. What
		// lumberjack would write now would go to a file no one can see.
		s.closeFile()
		return s.reopen(true)
	default:
		return nil // cannot tell (EACCES on a directory, say): keep the open file
	}
}

// reopen opens the file at path for appending, creating the directory
// (0700: the relay writes one user's output) and the file (0600) if needed.
// lost says the file was being written when it disappeared.
func (s *sink) reopen(lost bool) error {
	unlock, created, err := s.lockDir()
	if err != nil {
		return err
	}
	defer unlock()
	return s.reopenLocked(lost && !created) // the directory's note says it
}

func (s *sink) reopenLocked(lost bool) error {
	var st unix.Stat_t
	err := unix.Stat(s.path, &st)
	switch {
	case err == nil && st.Mode&unix.S_IFMT != unix.S_IFREG:
		return fmt.Errorf("%s: %w", s.path, ErrNotRegular)
	case err == nil && st.Size >= s.max:
		return s.rotateLocked()
	case err == nil:
		// lumberjack renames away a file it cannot open; an existing log
		// that cannot be appended to is an error here instead.
		f, err := os.OpenFile(s.path, os.O_WRONLY|os.O_APPEND, 0)
		if err != nil {
			return err
		}
		f.Close()
	case errors.Is(err, unix.ENOENT):
		if lost {
			s.notes = append(s.notes, fmt.Sprintf("the log file %s was removed at about %s; output continues in a new file",
				s.path, s.stamp(s.now())))
		}
		if err := s.create(nil); err != nil {
			return err
		}
	default:
		return fmt.Errorf("stat %s: %w", s.path, err)
	}
	return s.openLJ()
}

// create makes the live file, empty, with the mode and owner of like (the
// file just rotated) or else 0600. lumberjack would create it without
// O_APPEND, and then overwrite what another relay on the same file
// appends; so the sink creates it and lumberjack only ever opens an
// existing file, with O_APPEND.
func (s *sink) create(like *unix.Stat_t) error {
	fd, err := unix.Open(s.path, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_CLOEXEC, 0o600)
	switch {
	case errors.Is(err, unix.EEXIST):
		return nil // someone made it meanwhile: append to theirs
	case err != nil:
		return fmt.Errorf("create %s: %w", s.path, err)
	}
	defer unix.Close(fd)
	if like != nil {
		if perm := like.Mode & 0o7777; perm != 0o600 {
			_ = unix.Fchmod(fd, perm)
		}
		if int(like.Uid) != os.Geteuid() || int(like.Gid) != os.Getegid() {
			_ = unix.Fchown(fd, int(like.Uid), int(like.Gid))
		}
	}
	return nil
}

// openLJ has lumberjack open the existing file at path for appending (its
// openExistingOrNew, which also runs the mill: Keep, MaxAge, gzip) and
// records what it opened.
func (s *sink) openLJ() error {
	s.lj.Close()
	if _, err := s.lj.Write(nil); err != nil {
		s.open = false
		return err
	}
	return s.adopt()
}

// adopt records the identity and size of the file lumberjack just opened.
func (s *sink) adopt() error {
	var st unix.Stat_t
	if err := unix.Stat(s.path, &st); err != nil {
		s.closeFile()
		return fmt.Errorf("stat %s: %w", s.path, err)
	}
	s.dev, s.ino, s.size, s.open = uint64(st.Dev), uint64(st.Ino), st.Size, true
	return nil
}

func (s *sink) closeFile() {
	s.lj.Close()
	s.open = false
}

// lockDir creates the log directory if it is gone and takes an flock on
// it, so that relays sharing a log file rotate and reopen one at a time.
func (s *sink) lockDir() (unlock func(), created bool, err error) {
	if _, err := os.Stat(s.dir); errors.Is(err, os.ErrNotExist) || errors.Is(err, unix.ENOTDIR) {
		if err := os.MkdirAll(s.dir, 0o700); err != nil {
			return nil, false, fmt.Errorf("recreate the log directory: %w", err)
		}
		created = true
		s.notes = append(s.notes, fmt.Sprintf("the log directory %s was removed; recreated it (mode 0700) at %s",
			s.dir, s.stamp(s.now())))
	}
	fd, err := unix.Open(s.dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	switch {
	case errors.Is(err, unix.ENOENT), errors.Is(err, unix.ENOTDIR):
		return nil, created, fmt.Errorf("open %s: %w", s.dir, err)
	case err != nil:
		// A directory we may not read (mode 0300): go on unlocked, which
		// only loses the ordering between relays sharing the file.
		return func() {}, created, nil
	}
	// Likewise for a filesystem without locks. Closing the descriptor
	// unlocks.
	_ = unix.Flock(fd, unix.LOCK_EX)
	return func() { unix.Close(fd) }, created, nil
}

// put writes p through the rotation rules and returns how much it wrote.
func (s *sink) put(p []byte) (int, error) {
	done := 0
	for len(p) > 0 {
		if !s.open {
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
					return done, err
				}
				continue
			} else {
				n = int(room) // one chunk larger than a whole file: split it
			}
		}
		w, err := s.lj.Write(p[:n])
		s.size += int64(w)
		done += w
		if w > 0 {
			s.lastByte = p[w-1]
		}
		if err != nil {
			return done, err
		}
		p = p[n:]
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

func (s *sink) rotate() error {
	unlock, _, err := s.lockDir()
	if err != nil {
		return err
	}
	defer unlock()
	return s.rotateLocked()
}

// rotateLocked moves the live file aside under a fresh backup name and
// starts a new live file with the old one's mode and owner.
func (s *sink) rotateLocked() error {
	var st unix.Stat_t
	err := unix.Stat(s.path, &st)
	existed := err == nil
	switch {
	case existed && s.open && (uint64(st.Dev) != s.dev || uint64(st.Ino) != s.ino):
		// Another relay rotated our file already: go on in the new one.
		s.shared = true
		s.closeFile()
		return s.reopenLocked(false)
	case existed:
		if s.shared {
			// Another relay names backups too, perhaps ahead of the
			// clock: name ours after its newest, to keep the order.
			s.names.scan()
		}
		if _, err := s.names.moveAside(s.path, s.now()); err != nil {
			return err
		}
	case !errors.Is(err, unix.ENOENT):
		return fmt.Errorf("stat %s: %w", s.path, err)
	}
	s.closeFile() // the backup now
	like := &st
	if !existed {
		like = nil
	}
	if err := s.create(like); err != nil {
		return err
	}
	if s.mill != nil {
		s.mill.poke()
	}
	return s.openLJ()
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
	if _, err := s.put(b.Bytes()); err != nil {
		return err
	}
	s.notes, s.drop = nil, dropLog{}
	return nil
}

func (s *sink) dropLine() string {
	d := s.drop
	why := d.why
	if d.lastWhy != "" {
		why += "; last error: " + d.lastWhy
	}
	return fmt.Sprintf("nohupx: dropped %d bytes of output between %s and %s: %s",
		d.bytes, s.stamp(d.first), s.stamp(d.last), why)
}

// dropped counts n bytes that could not be written because of err.
func (s *sink) dropped(n int, err error) {
	if n <= 0 {
		return
	}
	t := s.now()
	if s.drop.bytes == 0 {
		s.drop.first, s.drop.why = t, err.Error()
		s.alert(fmt.Sprintf("cannot write %s, dropping output until it works again: %v", s.path, err))
	} else if msg := err.Error(); msg != s.drop.why {
		s.drop.lastWhy = msg
	}
	s.drop.bytes += int64(n)
	s.drop.last = t
}

func (s *sink) stamp(t time.Time) string {
	return t.Format("2006-01-02T15:04:05.000Z07:00")
}
