package reattach

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/nohupx/nohupx/internal/quote"
)

// inspect tells what a client of s finds at s.Path now. It changes
// nothing. The order follows the question a user asks: is the server
// there, is its directory there and acceptable, is its socket file there,
// and is that file really this server's?
func inspect(sys system, s Server) Status {
	if !sys.Alive(s) {
		return Status{State: Gone, Reason: "the process is no longer running"}
	}
	if !filepath.IsAbs(s.Path) {
		// Bound by a relative name (tmux -S name): relative to the
		// server's working directory at bind(2), which neither the
		// kernel's socket table nor its cwd now tells.
		return Status{State: Unsafe, Reason: quote.Shell(s.Path) + " is relative to where the server was started, which cannot be known; use an absolute path (tmux -S \"$PWD/NAME\")"}
	}
	if slices.Contains(strings.Split(s.Path, "/"), "..") {
		// The kernel took ".." from wherever the names before it led,
		// links included; taken as text it names another directory.
		return Status{State: Unsafe, Reason: quote.Shell(s.Path) + " goes up with \"..\", which cannot be followed safely; use a path without it"}
	}
	if err := checkDir(s); err != nil {
		if _, ok := err.(*MissingError); ok {
			return Status{State: DirDeleted, Reason: err.Error()}
		}
		return Status{State: Unsafe, Reason: err.Error()}
	}
	var st unix.Stat_t
	if err := unix.Lstat(s.Path, &st); err != nil {
		if errors.Is(err, unix.ENOENT) {
			return Status{State: SocketDeleted, Reason: "the directory is there but " + quote.Shell(s.Path) + " is not"}
		}
		return Status{State: Unreachable, Reason: err.Error()}
	}
	id := FileID{Dev: uint64(st.Dev), Ino: st.Ino}
	typ := st.Mode & unix.S_IFMT
	if s.Proven() && id == s.File {
		// The file on disk is the one this server bound (or opened), and
		// the kernel lists the socket as listening (or screen holds the
		// FIFO open).
		if !mayProbe(s) {
			return Status{State: Reachable}
		}
		if err := probe(s.Path, typ == unix.S_IFIFO); err != nil {
			return Status{State: Unreachable, Reason: fmt.Sprintf("its own socket file is there but %s", errText(err))}
		}
		return Status{State: Reachable}
	}
	if typ != unix.S_IFSOCK && typ != unix.S_IFIFO {
		return Status{State: Stale, Reason: fmt.Sprintf("%s is %s, not a socket", quote.Shell(s.Path), fileType(uint32(typ)))}
	}
	switch pid, live := sys.Owner(s.Path, id); {
	case live && pid == s.PID:
		return Status{State: Reachable}
	case live:
		return Status{State: Taken, Owner: pid, Reason: fmt.Sprintf("%s now belongs to %s, another live server; signalling this one would cut that one off (run reattach-sock again once it has exited)", quote.Shell(s.Path), pidString(pid))}
	}
	if !mayProbe(s) {
		// No listener in this namespace has the file and screen may not
		// be probed: on Linux that makes it stale; elsewhere, unknown.
		if s.Proven() {
			return Status{State: Stale, Reason: fmt.Sprintf("%s is not this server's and nobody listens on it", quote.Shell(s.Path))}
		}
		return Status{State: Reachable, Reason: "unproven: the socket file's identity is not known on this system, and screen is never probed"}
	}
	err := probe(s.Path, typ == unix.S_IFIFO)
	switch {
	case err == nil && s.Proven():
		return Status{State: Taken, Reason: fmt.Sprintf("another process answers on %s (not one this user can see, or in another network namespace)", quote.Shell(s.Path))}
	case err == nil:
		return Status{State: Reachable, Reason: "unproven: the socket file's identity is not known on this system"}
	case errors.Is(err, unix.ECONNREFUSED) || errors.Is(err, unix.ENXIO):
		return Status{State: Stale, Reason: fmt.Sprintf("%s is left over: nobody is listening on it", quote.Shell(s.Path))}
	}
	return Status{State: Unreachable, Reason: errText(err)}
}

// mayProbe reports whether connecting to s's socket is harmless. It is
// not for screen: a client that connects and closes makes screen 4.9 check
// its socket (and, for its FIFO, reopen it by path), and if the directory
// is being deleted at that moment the session ends (14 times in 60 on
// Debian 12). screen is judged by the kernel's view alone.
func mayProbe(s Server) bool { return s.Kind != Screen }

// probe does what a client does first: connect(2) to a socket, or, for a
// FIFO, open(2) it for writing without blocking, which fails with ENXIO
// when no process has it open for reading. Nothing is sent.
func probe(path string, fifo bool) error {
	if fifo {
		fd, err := unix.Open(path, unix.O_WRONLY|unix.O_NONBLOCK|unix.O_CLOEXEC|unix.O_NOFOLLOW, 0)
		if err != nil {
			return fmt.Errorf("open: %w", err)
		}
		return unix.Close(fd)
	}
	// SOCK_CLOEXEC and SOCK_NONBLOCK do not exist on macOS.
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	unix.CloseOnExec(fd)
	if err := unix.SetNonblock(fd, true); err != nil {
		return err
	}
	err = unix.Connect(fd, &unix.SockaddrUnix{Name: path})
	if errors.Is(err, unix.EAGAIN) {
		return nil // listening, with a full backlog
	}
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	return nil
}

func errText(err error) string {
	var errno unix.Errno
	if errors.As(err, &errno) {
		return errno.Error()
	}
	return err.Error()
}

func fileType(t uint32) string {
	switch t {
	case unix.S_IFREG:
		return "a regular file"
	case unix.S_IFDIR:
		return "a directory"
	case unix.S_IFLNK:
		return "a symbolic link"
	}
	return "a special file"
}
