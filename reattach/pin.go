package reattach

import (
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/nohupx/nohupx/internal/quote"
)

// errVanished means the socket directory was removed (or replaced) while
// the recovery was preparing: start again.
var errVanished = errors.New("the directory was removed meanwhile")

// pinPrefix names the placeholder a recovery keeps in a socket directory.
const pinPrefix = ".reattach-sock."

// pin holds a socket directory in place from the check to the
// verification. A cleaner may be removing it right now (rm -rf unlinks the
// socket, then rmdirs the directory), and a screen server signalled after
// that rmdir ends its session. An entry created in the directory after the
// cleaner listed it makes its rmdir fail with ENOTEMPTY. For tmux the
// entry is <socket>.lock, locked as a tmux client locks it; for the others
// a placeholder file.
type pin struct {
	dirfd   int
	name    string
	fd      int
	created bool
}

// pinDir creates (or, for tmux's lock, opens) name in s's directory
// through a descriptor of the directory, and checks that the directory at
// that path is still the one it was created in.
func pinDir(s Server, name string) (*pin, error) {
	dir, uid, gid := s.Dir(), s.UID, s.GID
	dirfd, err := openOwnDir(s)
	if errors.Is(err, unix.ENOENT) {
		return nil, errVanished
	}
	if err != nil {
		return nil, err
	}
	p := &pin{dirfd: dirfd, name: name}
	p.fd, err = unix.Openat(dirfd, name, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o600)
	p.created = err == nil
	if errors.Is(err, unix.EEXIST) {
		p.fd, err = openExisting(dirfd, name)
	}
	if err != nil {
		unix.Close(dirfd)
		if errors.Is(err, unix.ENOENT) { // the directory is unlinked: no new entries
			return nil, errVanished
		}
		return nil, fmt.Errorf("%s: %w", quote.Shell(filepath.Join(dir, name)), err)
	}
	if p.created && unix.Getuid() != uid {
		_ = unix.Fchown(p.fd, uid, gid) // tmux clients of that user must be able to open it
	}
	var held, now unix.Stat_t
	if unix.Fstat(dirfd, &held) != nil || unix.Lstat(dir, &now) != nil || held.Ino != now.Ino || held.Dev != now.Dev {
		p.release()
		return nil, errVanished
	}
	return p, nil
}

// openExisting opens the pin's entry that is there already: tmux's lock
// file, made by a client. It is in a directory of the server's user, who
// could have made it a FIFO, whose open(2) for writing would block until
// they open it for reading (for ever): O_NONBLOCK, and only a regular
// file is locked.
func openExisting(dirfd int, name string) (int, error) {
	fd, err := unix.Openat(dirfd, name, unix.O_WRONLY|unix.O_NOFOLLOW|unix.O_NONBLOCK|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if errors.Is(err, unix.ENXIO) { // a FIFO nobody reads
		return -1, errors.New("is not a regular file")
	}
	if err != nil {
		return -1, err
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil || st.Mode&unix.S_IFMT != unix.S_IFREG {
		unix.Close(fd)
		return -1, errors.New("is not a regular file")
	}
	return fd, nil
}

// openOwnDir opens s's directory and checks it as checkDir does, on the
// descriptor: O_NOFOLLOW covers only the last name, and a link of the
// user's higher up can be switched between the check and the open, to
// have root make the pin, given to the user, in a directory of root's.
func openOwnDir(s Server) (int, error) {
	dir := s.Dir()
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if errors.Is(err, unix.ENOENT) {
		return -1, err
	}
	if err != nil {
		return -1, fmt.Errorf("%s: %w", quote.Shell(dir), err)
	}
	var st unix.Stat_t
	if err = unix.Fstat(fd, &st); err == nil {
		err = dirProblem(dir, &st, s.Kind, s.UID)
	}
	if err != nil {
		unix.Close(fd)
		return -1, err
	}
	return fd, nil
}

// release removes the entry if this pin created it (and it is still the
// same file), as a starting tmux server removes its lock file.
func (p *pin) release() {
	if p.created {
		var a, b unix.Stat_t
		if unix.Fstat(p.fd, &a) == nil && unix.Fstatat(p.dirfd, p.name, &b, unix.AT_SYMLINK_NOFOLLOW) == nil && a.Ino == b.Ino {
			_ = unix.Unlinkat(p.dirfd, p.name, 0)
		}
	}
	unix.Close(p.fd)
	unix.Close(p.dirfd)
}

// pinName is the entry that pins s's directory.
func pinName(s Server) string {
	if s.Kind == Tmux {
		return filepath.Base(s.Path) + ".lock"
	}
	return pinPrefix + strconv.Itoa(unix.Getpid())
}

func isPin(name string) bool {
	return strings.HasPrefix(filepath.Base(name), pinPrefix) || strings.HasSuffix(name, ".lock")
}

// lockTmux takes flock(LOCK_EX) on the pinned <socket>.lock, the file a
// tmux client locks before it starts a server (client.c,
// client_get_lock). While it is held, a "tmux new" that finds the path
// dead waits instead of starting a second server there, and then connects
// to the recovered one.
func lockTmux(p *pin, path string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		err := unix.Flock(p.fd, unix.LOCK_EX|unix.LOCK_NB)
		if err == nil {
			return nil
		}
		if !errors.Is(err, unix.EWOULDBLOCK) && !errors.Is(err, unix.EINTR) {
			return fmt.Errorf("lock %s: %w", quote.Shell(path), err)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("lock %s: still held by a tmux client after %v", quote.Shell(path), timeout)
		}
		time.Sleep(time.Millisecond)
	}
}
