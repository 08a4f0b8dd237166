// Package pidfile writes a pidfile that is locked for as long as the
// process it names lives, and that a reader never sees empty or partial.
//
// The protocol, for a pidfile P in directory D:
//
//  1. Take flock(LOCK_EX) on D. Every writer using this package holds it
//     only for the short check-and-create step below (and RemoveIfSame for
//     its check-and-remove), so concurrent launchers are serialized and
//     exactly one of them wins. Anyone who can open D can lock it too, so
//     the wait is bounded (lockWait).
//  2. If P exists, its lock is held and the process it names is alive, it
//     is running: refuse (RunningError). If P is a symbolic link, refuse:
//     the launcher may run as root and must not be steered into
//     overwriting a file. If P belongs to another user, refuse: replacing
//     it would delete a file we did not create. If P exists and nobody
//     holds its lock, or the process it names is gone, it is stale and
//     will be replaced.
//  3. Create a temporary file beside P and flock(LOCK_EX) it. The caller
//     passes this descriptor to the one process that is to hold the lock:
//     an flock belongs to the open file description, so it lasts until the
//     last process holding that description closes it. Whoever holds it
//     must live exactly as long as the named process (detach's session
//     stage, which is its parent and waits for it); a descriptor that the
//     process itself inherited would pass on to its children, which can
//     outlive it.
//  4. Commit writes the pid into the temporary file and renames it to P,
//     then releases D. So P is at every moment absent, the old complete
//     file, or the new complete file. The rename replaces only what step
//     2 saw (nothing, or that stale file): the lock binds launchers, not
//     another user who puts a file of theirs at P meanwhile.
//  5. When the process has exited, the holder calls RemoveIfSame, which
//     removes P if it is still the file it holds.
package pidfile

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/nohupx/nohupx/internal/diag"
)

// RunningError is returned when the pidfile is held by a live process.
type RunningError struct {
	Path string
	Pid  int // 0 if the file did not name a pid
}

func (e *RunningError) Error() string {
	if e.Pid == 0 {
		return "already running (pidfile " + e.Path + " is locked)"
	}
	return fmt.Sprintf("already running (pid %d)", e.Pid)
}

// ErrSymlink is returned for a pidfile path that is a symbolic link.
var ErrSymlink = errors.New("is a symbolic link; refusing to follow it")

// Pending is a pidfile being created: the directory is locked until
// Commit or Abort.
type Pending struct {
	path string
	dir  *os.File
	tmp  *os.File
	// old is the stale pidfile found at path, nil if none. It stays open
	// until Commit: an inode in use is not freed, so no file made at path
	// meanwhile can have its number and pass for it.
	old *os.File
}

// Prepare locks path's directory, checks that no live process holds path,
// and creates the locked temporary file that will become it.
func Prepare(path string) (*Pending, error) {
	dir, err := openDir(filepath.Dir(path))
	if err != nil {
		return nil, fmt.Errorf("cannot open its directory: %s", diag.Strerror(err))
	}
	fail := func(err error) (*Pending, error) {
		dir.Close()
		return nil, err
	}
	if err := lockDir(dir); err != nil {
		return fail(fmt.Errorf("lock directory %s: %w", dir.Name(), err))
	}
	// From here on, names are looked up in the directory locked, not by
	// path: whoever can rename a directory on the path could otherwise
	// have us read, lock and write in another one.
	old, err := checkHolder(dir, filepath.Base(path))
	if err != nil {
		return fail(err)
	}
	fail = func(err error) (*Pending, error) {
		dir.Close()
		if old != nil {
			old.Close()
		}
		return nil, err
	}
	tmp, err := createTemp(dir, "."+filepath.Base(path)+".")
	if err != nil {
		// Its own name, random, would tell the user nothing.
		return fail(fmt.Errorf("cannot create a file in %s: %s", filepath.Dir(path), diag.Strerror(err)))
	}
	p := &Pending{path: path, dir: dir, tmp: tmp, old: old}
	// Pidfiles are read by other users' tools (ps scripts, monitoring).
	if err = tmp.Chmod(0o644); err == nil {
		err = flock(tmp, unix.LOCK_EX|unix.LOCK_NB)
	}
	if err != nil {
		p.removeTmp()
		tmp.Close()
		return fail(err)
	}
	return p, nil
}

// checkHolder returns a RunningError if a live process holds path, and
// otherwise what is at path: nil for nothing, or a stale pidfile of ours,
// open.
func checkHolder(dir *os.File, name string) (_ *os.File, err error) {
	path := filepath.Join(dir.Name(), name)
	fd, err := unix.Openat(int(dir.Fd()), name, unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_CLOEXEC|unix.O_NONBLOCK|unix.O_NOCTTY, 0)
	switch {
	case errors.Is(err, unix.ENOENT):
		return nil, nil
	case errors.Is(err, unix.ELOOP):
		return nil, ErrSymlink
	case err != nil:
		return nil, err
	}
	f := os.NewFile(uintptr(fd), path)
	defer func() {
		if err != nil {
			f.Close()
		}
	}()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("is not a regular file but %s", kind(fi.Mode()))
	}
	// Replacing a stale file deletes it, and a launcher run as root can
	// delete anyone's file in /tmp: never one we did not create. Ours has
	// our uid; another's is neither locked nor read.
	st := fi.Sys().(*syscall.Stat_t)
	if int(st.Uid) != os.Geteuid() {
		return nil, fmt.Errorf("belongs to uid %d; not replacing it", st.Uid)
	}
	pid, isPid := pidIn(f)
	if !isPid {
		// A file of ours that is not a pidfile (a config file named by
		// mistake), whoever holds a lock on it: replacing it would
		// delete it.
		return nil, errors.New("does not hold a process ID; not replacing it")
	}
	err = flock(f, unix.LOCK_EX|unix.LOCK_NB)
	if errors.Is(err, unix.EWOULDBLOCK) {
		if pid > 0 && !Alive(pid) {
			// Held, but by something other than the process it names
			// (a child that inherited the descriptor from an older
			// launcher, or a holder about to remove it): the process is
			// gone, and a pidfile naming a dead process blocks nothing.
			return f, nil
		}
		return nil, &RunningError{Path: path, Pid: pid}
	}
	// Locked by nobody: stale. Our lock goes with f.Close, in Commit.
	return f, err
}

// pidIn reads the pid a pidfile holds, and says whether it holds nothing
// else: digits and a newline, as this package and daemons write them.
func pidIn(f *os.File) (int, bool) {
	b := make([]byte, 32)
	n, _ := f.ReadAt(b, 0)
	if n == len(b) {
		return 0, false // longer than any pid line
	}
	return parsePid(b[:n])
}

// parsePid reads a pidfile's text: a positive decimal pid, as strconv
// writes it, and an optional newline.
func parsePid(b []byte) (int, bool) {
	text := strings.TrimSuffix(string(b), "\n")
	pid, err := strconv.Atoi(text)
	return pid, err == nil && pid > 0 && strconv.Itoa(pid) == text
}

// Alive reports whether process pid exists and is not a zombie: a zombie
// has exited, and only waits for its parent to collect its status.
func Alive(pid int) bool {
	// kill(2) with signal 0 checks existence only; EPERM means it exists
	// but belongs to someone else.
	if err := unix.Kill(pid, 0); errors.Is(err, unix.ESRCH) {
		return false
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true // no /proc (another OS): kill(2) said it exists
	}
	// The state is the first field after the command name, which is in
	// parentheses and may itself hold them (proc(5)).
	if i := strings.LastIndexByte(string(b), ')'); i >= 0 && i+2 < len(b) {
		return b[i+2] != 'Z' && b[i+2] != 'X'
	}
	return true
}

// File is the locked temporary file. Pass it to the daemon (not
// close-on-exec) so that the daemon holds the lock.
func (p *Pending) File() *os.File { return p.tmp }

// Commit writes pid and moves the file into place, then releases the
// directory. The caller still holds File and closes it once the daemon has
// its own copy.
func (p *Pending) Commit(pid int) error {
	defer p.dir.Close() // releases the directory lock
	if _, err := p.tmp.WriteAt([]byte(strconv.Itoa(pid)+"\n"), 0); err != nil {
		p.removeTmp()
		return err
	}
	var old *syscall.Stat_t
	if p.old != nil {
		defer p.old.Close()
		old = new(syscall.Stat_t)
		if err := syscall.Fstat(int(p.old.Fd()), old); err != nil {
			p.removeTmp()
			return err
		}
	}
	if err := replace(int(p.dir.Fd()), filepath.Base(p.tmp.Name()), p.Name(), old); err != nil {
		p.removeTmp()
		return err
	}
	return nil
}

// removeTmp removes the temporary file, if its name, in the directory
// locked, still holds it: a failed swap may have left something else
// there, which is not ours to remove.
func (p *Pending) removeTmp() {
	var ours, there unix.Stat_t
	name, dirfd := filepath.Base(p.tmp.Name()), int(p.dir.Fd())
	if unix.Fstat(int(p.tmp.Fd()), &ours) == nil &&
		unix.Fstatat(dirfd, name, &there, unix.AT_SYMLINK_NOFOLLOW) == nil &&
		ours.Dev == there.Dev && ours.Ino == there.Ino {
		_ = unix.Unlinkat(dirfd, name, 0)
	}
}

// errAppeared: something was put at the pidfile's name after Prepare
// looked. The directory's lock binds launchers only, and replacing it
// would delete a file that is not ours.
var errAppeared = errors.New("something else was put there meanwhile; not replacing it")

// Dir opens the pidfile's directory again, for the process that will hold
// the lock and remove the pidfile at the end (RemoveIfSame). A new open,
// not a copy of the descriptor Prepare locked: an flock belongs to the
// open file description, and a copy would keep the directory locked.
func (p *Pending) Dir() (*os.File, error) {
	fd, err := unix.Openat(int(p.dir.Fd()), ".", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: p.dir.Name(), Err: err}
	}
	return os.NewFile(uintptr(fd), p.dir.Name()), nil
}

// Name is the pidfile's name in its directory.
func (p *Pending) Name() string { return filepath.Base(p.path) }

// RemoveIfSame removes the entry name of directory dir if it is still the
// file held (the pidfile's own descriptor): the process it named has
// exited. It holds the directory's lock meanwhile, as Prepare and Commit
// do, so that a launcher replacing a stale pidfile at that moment never
// has its new file removed. If it cannot get the lock, the pidfile stays:
// nobody holds its lock once the caller exits, so it is stale.
func RemoveIfSame(dir *os.File, name string, held *os.File) error {
	if err := lockDir(dir); err != nil {
		return fmt.Errorf("lock directory %s: %w", dir.Name(), err)
	}
	defer flock(dir, unix.LOCK_UN)
	var a, b unix.Stat_t
	if err := unix.Fstat(int(held.Fd()), &a); err != nil {
		return err
	}
	err := unix.Fstatat(int(dir.Fd()), name, &b, unix.AT_SYMLINK_NOFOLLOW)
	if errors.Is(err, unix.ENOENT) {
		return nil
	}
	if err != nil || a.Dev != b.Dev || a.Ino != b.Ino {
		return err // another file now: not ours to remove
	}
	return unix.Unlinkat(int(dir.Fd()), name, 0)
}

// Abort removes the temporary file and releases the directory.
func (p *Pending) Abort() {
	p.removeTmp()
	p.tmp.Close()
	p.dir.Close()
	if p.old != nil {
		p.old.Close()
	}
}

// lockWait bounds the wait for a directory's lock. A launcher holds it
// from the check to the rename, across starting the session stage and the
// command (two fork-and-execs: milliseconds, seconds on a machine that is
// swapping), and RemoveIfSame for a stat and an unlink. Any user who can open the
// directory (/tmp, /run) can lock it as long as they like: past this
// bound the holder is taken to be one of those, not a launcher.
var lockWait = 5 * time.Second

// lockPoll is the pause between tries: short beside a launcher's hold.
const lockPoll = 10 * time.Millisecond

// lockDir takes dir's lock, trying until lockWait has passed.
func lockDir(dir *os.File) error {
	deadline := time.Now().Add(lockWait)
	for {
		err := flock(dir, unix.LOCK_EX|unix.LOCK_NB)
		if !errors.Is(err, unix.EWOULDBLOCK) {
			return err
		}
		if time.Now().After(deadline) {
			break
		}
		time.Sleep(lockPoll)
	}
	msg := "held by another process for " + lockWait.String()
	if pid := flockHolder(dir); pid != 0 {
		msg += " (pid " + strconv.Itoa(pid) + ")"
	}
	return errors.New(msg)
}

// flockHolder is the pid of a process holding an flock on f, as
// /proc/locks shows it (proc(5)), or 0 if it shows none.
func flockHolder(f *os.File) int {
	var st unix.Stat_t
	if unix.Fstat(int(f.Fd()), &st) != nil {
		return 0
	}
	b, err := os.ReadFile("/proc/locks")
	if err != nil {
		return 0
	}
	return lockHolder(b, fmt.Sprintf("%02x:%02x:%d", unix.Major(uint64(st.Dev)), unix.Minor(uint64(st.Dev)), st.Ino))
}

// lockHolder finds, in the text of /proc/locks, the pid holding an flock
// on the file id ("MAJ:MIN:INODE", as the kernel prints it), or 0.
func lockHolder(locks []byte, id string) int {
	for line := range strings.Lines(string(locks)) {
		// "1: FLOCK ADVISORY WRITE PID MAJ:MIN:INODE 0 EOF"; a process
		// waiting for the lock has "->" after the number.
		f := strings.Fields(line)
		if len(f) >= 6 && f[1] == "FLOCK" && f[5] == id {
			// 0: a holder outside our pid namespace.
			if pid, _ := strconv.Atoi(f[4]); pid > 0 {
				return pid
			}
		}
	}
	return 0
}

func flock(f *os.File, how int) error {
	for {
		err := unix.Flock(int(f.Fd()), how)
		if !errors.Is(err, unix.EINTR) {
			return err
		}
	}
}

// kind names a file type for a message.
func kind(m os.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&os.ModeNamedPipe != 0:
		return "a named pipe"
	case m&os.ModeSocket != 0:
		return "a socket"
	case m&os.ModeDevice != 0:
		return "a device"
	}
	return "a special file"
}

// createTemp makes a new file, empty, in dir, named prefix and a random
// number, as os.CreateTemp would by path.
func createTemp(dir *os.File, prefix string) (*os.File, error) {
	for range 100 {
		name := prefix + strconv.FormatUint(uint64(rand.Uint32()), 10)
		fd, err := unix.Openat(int(dir.Fd()), name, unix.O_RDWR|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o600)
		if errors.Is(err, unix.EEXIST) {
			continue
		}
		if err != nil {
			return nil, err
		}
		return os.NewFile(uintptr(fd), filepath.Join(dir.Name(), name)), nil
	}
	return nil, unix.EEXIST
}

// openDir opens a directory: O_DIRECTORY makes open(2) of anything else,
// a FIFO someone put at the name among them, fail at once with ENOTDIR
// rather than wait for a writer.
func openDir(name string) (*os.File, error) {
	return os.OpenFile(name, os.O_RDONLY|unix.O_DIRECTORY, 0)
}

// linkNoReplace gives tmp the name name, failing with errAppeared rather
// than replace anything there (link(2) does not), then drops tmp.
func linkNoReplace(dirfd int, tmp, name string) error {
	err := unix.Linkat(dirfd, tmp, dirfd, name, 0)
	if errors.Is(err, unix.EEXIST) {
		return errAppeared
	}
	if err != nil {
		return err
	}
	return unix.Unlinkat(dirfd, tmp, 0)
}

// checkRename renames tmp over name if name is still old: the fallback
// where the kernel cannot swap them atomically.
func checkRename(dirfd int, tmp, name string, old *syscall.Stat_t) error {
	var now unix.Stat_t
	err := unix.Fstatat(dirfd, name, &now, unix.AT_SYMLINK_NOFOLLOW)
	switch {
	case errors.Is(err, unix.ENOENT):
		return linkNoReplace(dirfd, tmp, name)
	case err != nil:
		return err
	case !same(&now, old):
		return errAppeared
	}
	return unix.Renameat(dirfd, tmp, dirfd, name)
}

// same says whether st is the file old.
func same(st *unix.Stat_t, old *syscall.Stat_t) bool {
	return uint64(st.Dev) == uint64(old.Dev) && uint64(st.Ino) == uint64(old.Ino)
}
