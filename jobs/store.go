package jobs

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/nohupx/nohupx/internal/applet"
)

// NoRecordEnv turns recording off when set to anything but "" or "0", for
// scripts that start thousands of jobs.
const NoRecordEnv = "NOHUPX_NO_RECORD"

// Disabled says whether env (KEY=VALUE strings) turns recording off.
func Disabled(env []string) bool {
	v, _ := applet.Getenv(env, NoRecordEnv)
	return v != "" && v != "0"
}

// Dir is the record directory: $XDG_STATE_HOME/nohupx/jobs, by default
// $HOME/.local/state/nohupx/jobs.
func Dir(env []string) (string, error) {
	get := func(k string) string {
		v, _ := applet.Getenv(env, k)
		return v
	}
	state := get("XDG_STATE_HOME")
	if !filepath.IsAbs(state) { // XDG: a relative value is to be ignored
		home := get("HOME")
		if !filepath.IsAbs(home) {
			return "", errors.New("neither XDG_STATE_HOME nor HOME is an absolute path")
		}
		state = filepath.Join(home, ".local", "state")
	}
	return filepath.Join(state, "nohupx", "jobs"), nil
}

// Store is an open record directory.
type Store struct {
	Path string
	fd   int
	euid int // whose records these are
}

// Open opens the record directory at path (made by Dir), creating it and
// the directories above it (mode 0700) if create is set, $XDG_STATE_HOME
// included as XDG asks, but never HOME or the directory that holds
// $XDG_STATE_HOME: a home that does not exist is not made. It refuses a
// directory that is not the caller's own or that others may write:
// records decide which processes --kill signals.
func Open(path string, create bool) (*Store, error) {
	if create {
		// The common case costs one open: the directory is there.
		if s, err := Open(path, false); !errors.Is(err, unix.ENOENT) {
			return s, err
		}
		base := filepath.Dir(filepath.Dir(filepath.Dir(path))) // above $XDG_STATE_HOME
		if state := filepath.Dir(filepath.Dir(path)); filepath.Base(state) == "state" && filepath.Base(filepath.Dir(state)) == ".local" {
			base = filepath.Dir(filepath.Dir(state)) // $HOME
		}
		if _, err := os.Stat(base); err != nil {
			return nil, err
		}
		if err := mayMake(path); err != nil {
			return nil, err
		}
		if err := os.MkdirAll(path, 0o700); err != nil {
			return nil, err
		}
	}
	// O_NOFOLLOW: the last component must be the directory itself.
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		unix.Close(fd)
		return nil, &os.PathError{Op: "stat", Path: path, Err: err}
	}
	euid := unix.Geteuid()
	if int(st.Uid) != euid || st.Mode&0o022 != 0 {
		unix.Close(fd)
		return nil, fmt.Errorf("%s: not a directory of this user that only this user can write", path)
	}
	return &Store{Path: path, fd: fd, euid: euid}, nil
}

// mayMake refuses to make the missing directories of path inside a
// directory that is not the caller's: root run with a user's HOME (sudo
// -E, or macOS's sudo) would leave a root-owned .local/state/nohupx there,
// which the user's own nohupx then refuses (and which is not root's to
// put there), and an XDG_STATE_HOME inside another user's directory would
// let them remove root's records. Root may make them in root's own
// directories (a system XDG_STATE_HOME).
func mayMake(path string) error {
	dir := path
	var st unix.Stat_t
	for unix.Stat(dir, &st) != nil && dir != "/" {
		dir = filepath.Dir(dir)
	}
	if euid := unix.Geteuid(); int(st.Uid) != euid {
		return fmt.Errorf("%s belongs to uid %d, not to this user (uid %d); not making %s in it (set XDG_STATE_HOME to a directory of this user's)",
			dir, st.Uid, euid, strings.TrimPrefix(path, dir+"/"))
	}
	return nil
}

// Close closes the directory.
func (s *Store) Close() error { return unix.Close(s.fd) }

const suffix = ".jsonl"

// idChars: no digits first, so that an id is never taken for a pid, and
// no look-alikes (0/o, 1/l/i).
const (
	idFirst = "abcdefghjkmnpqrstuvwxyz"
	idRest  = "abcdefghjkmnpqrstuvwxyz23456789"
)

func newID(n int) string {
	b := []byte{idFirst[rand.IntN(len(idFirst))]}
	for len(b) < n {
		b = append(b, idRest[rand.IntN(len(idRest))])
	}
	return string(b)
}

// IsID says whether s has the form of an id (rather than of a pid).
func IsID(s string) bool {
	if s == "" || !strings.ContainsRune(idFirst, rune(s[0])) {
		return false
	}
	for _, c := range s {
		if !strings.ContainsRune(idRest, c) {
			return false
		}
	}
	return true
}

// Create gives r a fresh id and writes it as a new record: one O_EXCL
// create, one write. Ids are 4 characters while they are free, longer
// after a run of collisions.
func (s *Store) Create(r *Record) error {
	r.V = Version
	// Times are kept in UTC, and shown in local time. Writing local time
	// would load the time zone (a read and parse of /etc/localtime) on
	// every launch, for a third of a millisecond.
	r.Started = r.Started.UTC()
	for try := 0; try < 40; try++ {
		r.ID = newID(4 + try/8)
		data, err := recordLine(r)
		if err != nil {
			return err
		}
		fd, err := unix.Openat(s.fd, r.ID+suffix, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o600)
		if errors.Is(err, unix.EEXIST) {
			continue
		}
		if err != nil {
			return err
		}
		err = writeAll(fd, data)
		if cerr := unix.Close(fd); err == nil {
			err = cerr
		}
		if err != nil {
			unix.Unlinkat(s.fd, r.ID+suffix, 0) // ours: just created
		}
		return err
	}
	return errors.New("no free job id")
}

func writeAll(fd int, b []byte) error {
	n, err := unix.Write(fd, b)
	if err == nil && n < len(b) {
		err = fmt.Errorf("short write (%d of %d bytes)", n, len(b))
	}
	return err
}

// Append adds e to the record id in one O_APPEND write.
func (s *Store) Append(id string, e Event) error {
	if !IsID(id) {
		return fmt.Errorf("%q is not a job id", id)
	}
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	e.Time = e.Time.UTC() // as in Create
	data, err := line(e)
	if err != nil {
		return err
	}
	fd, err := unix.Openat(s.fd, id+suffix, unix.O_WRONLY|unix.O_APPEND|unix.O_NOFOLLOW|unix.O_CLOEXEC|unix.O_NONBLOCK, 0)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	st, err := s.ours(fd)
	if err != nil {
		return err
	}
	// A kill event is a note, and --kill may be run without end (a
	// reload signal from cron): past maxKillNotes it is no longer
	// written, so that the record stays under maxRecord, readable, with
	// room for the events that matter (the end, how --on-exit went).
	if e.Event == EvKill && st.Size+int64(len(data)) > maxKillNotes {
		return nil
	}
	return writeAll(fd, data)
}

// ours checks that fd is a regular file of this user with one link, and
// returns its status.
func (s *Store) ours(fd int) (unix.Stat_t, error) {
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return st, err
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG || int(st.Uid) != s.euid || st.Nlink != 1 {
		return st, errors.New("not a record file of this user")
	}
	return st, nil
}

// Problem is a record that could not be read; it never hides the others.
type Problem struct {
	Name string
	Err  error
}

func (p Problem) Error() string { return fmt.Sprintf("record %s: %v", p.Name, p.Err) }

// young is how long an incomplete record is taken for a launch in
// progress rather than reported.
const young = 5 * time.Second

// List reads every record, oldest start first, and the records it could
// not read.
func (s *Store) List() ([]Job, []Problem, error) {
	names, err := s.names()
	if err != nil {
		return nil, nil, err
	}
	var jobs []Job
	var probs []Problem
	for _, name := range names {
		j, mtime, err := s.read(name)
		switch {
		case errors.Is(err, unix.ENOENT):
			continue // pruned meanwhile
		case errors.Is(err, ErrIncomplete) && time.Since(mtime) < young:
			continue
		case err != nil:
			probs = append(probs, Problem{Name: filepath.Join(s.Path, name), Err: err})
			continue
		}
		jobs = append(jobs, j)
	}
	slices.SortStableFunc(jobs, func(a, b Job) int { return a.Started.Compare(b.Started) })
	return jobs, probs, nil
}

func (s *Store) names() ([]string, error) {
	// A new open of the directory, for an offset of its own; a raw one,
	// as Tidy runs on the launch path: os.Open would start the runtime's
	// poller, which aborts the process when it finds no descriptor left
	// for itself (a low `ulimit -n`).
	fd, err := unix.Openat(s.fd, ".", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: s.Path, Err: err}
	}
	f := os.NewFile(uintptr(fd), s.Path)
	defer f.Close()
	all, err := f.Readdirnames(-1)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, n := range all {
		if id, ok := strings.CutSuffix(n, suffix); ok && IsID(id) {
			names = append(names, n)
		}
	}
	return names, nil
}

// maxRecord bounds what is read of one file: a record is a few hundred
// bytes plus a few events.
const maxRecord = 1 << 20

// maxKillNotes is the size past which --kill's events are not appended.
const maxKillNotes = maxRecord / 2

func (s *Store) read(name string) (Job, time.Time, error) {
	// Plain system calls, not an os.File, which would register every
	// record a listing reads with the runtime's poller. O_NONBLOCK: a
	// FIFO planted under a record's name cannot block the open.
	fd, err := unix.Openat(s.fd, name, unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_CLOEXEC|unix.O_NONBLOCK, 0)
	if err != nil {
		return Job{}, time.Time{}, err
	}
	defer unix.Close(fd)
	st, err := s.ours(fd)
	if err != nil {
		return Job{}, time.Time{}, err
	}
	mtime := time.Unix(st.Mtim.Unix())
	if st.Size > maxRecord {
		return Job{}, mtime, fmt.Errorf("%d bytes: too large for a record", st.Size)
	}
	data, err := preadAll(fd, int(st.Size))
	if err != nil {
		return Job{}, mtime, err
	}
	j, err := Parse(data)
	if err == nil && j.ID+suffix != name {
		err = fmt.Errorf("holds job %q", j.ID)
	}
	return j, mtime, err
}

// preadAll reads the first size bytes of fd (fewer if the file ends
// sooner), however many reads that takes.
func preadAll(fd, size int) ([]byte, error) {
	data := make([]byte, size)
	n := 0
	for n < size {
		m, err := unix.Pread(fd, data[n:], int64(n))
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, err
		}
		if m == 0 {
			break
		}
		n += m
	}
	return data[:n], nil
}

// Get reads one record by id.
func (s *Store) Get(id string) (Job, error) {
	j, _, err := s.read(id + suffix)
	return j, err
}

// Retention of finished records: at most keepFinished of them, none older
// than keepFor, counted from the end or, when no end is recorded, from
// when a reader first found the job ended (EvGone, which Prune appends):
// a job that ran longer than keepFor keeps its record for keepFor after it
// ends, as any other. Running jobs are never pruned.
const (
	keepFinished = 200
	keepFor      = 30 * 24 * time.Hour
)

// tidyEvery: one launch in that many looks whether to prune (a variable
// for the tests, which look on every launch).
var tidyEvery = 32

// Prune removes the records of finished jobs beyond the retention, and
// incomplete records older than a day. finished says whether a job has
// ended. It is called by the reading options and when a job ends, never
// on the launch path.
func (s *Store) Prune(jobs []Job, finished func(Job) bool, probs []Problem, now time.Time) {
	var done []Job
	for _, j := range jobs {
		if finished(j) {
			done = append(done, j)
		}
	}
	// Newest first.
	slices.SortStableFunc(done, func(a, b Job) int { return b.Started.Compare(a.Started) })
	for i, j := range done {
		since := j.gone
		if j.Ended != nil {
			since = j.Ended
		}
		switch {
		case i >= keepFinished || (since != nil && now.Sub(*since) > keepFor):
			s.remove(j.ID + suffix)
		case since == nil:
			_ = s.Append(j.ID, Event{Event: EvGone, Time: now})
		}
	}
	for _, p := range probs {
		if errors.Is(p.Err, ErrIncomplete) {
			var st unix.Stat_t
			name := filepath.Base(p.Name)
			if unix.Fstatat(s.fd, name, &st, unix.AT_SYMLINK_NOFOLLOW) == nil &&
				now.Sub(time.Unix(st.Mtim.Unix())) > 24*time.Hour {
				s.remove(name)
			}
		}
	}
}

// Tidy prunes when the directory holds well over the retention, so that
// users who never run --jobs still have a bounded record. One launch in
// tidyEvery looks (a directory read), and prunes (reading every record)
// if there are more than 100 records above the retention: the cost is
// spread thin, and many jobs still running cannot make every launch read
// them all.
func (s *Store) Tidy() {
	if rand.IntN(tidyEvery) != 0 {
		return
	}
	names, err := s.names()
	if err != nil || len(names) <= keepFinished+100 {
		return
	}
	jobs, probs, err := s.List()
	if err == nil {
		s.Prune(jobs, Job.Done, probs, time.Now())
	}
}

// remove unlinks a record name, only if it is a regular file of ours.
func (s *Store) remove(name string) {
	var st unix.Stat_t
	if err := unix.Fstatat(s.fd, name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return
	}
	if st.Mode&unix.S_IFMT == unix.S_IFREG && int(st.Uid) == s.euid {
		unix.Unlinkat(s.fd, name, 0)
	}
}
