package detach

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// notifySocket is the sd_notify(3) endpoint of --ready: a datagram socket
// that the command finds in $NOTIFY_SOCKET, in a private directory (0700,
// owned by the command's user), so that only that user, or root, can
// claim readiness. It is made with plain system calls rather than package
// net, which would be linked into, and initialised by, every applet of the
// binary for this one socket.
type notifySocket struct {
	Path string
	dir  string
	f    *os.File // non-blocking, so that Close wakes a blocked WaitReady
}

// notifyName is the socket's name in the directory; the directory is
// named notifyDir plus up to 10 random digits (os.MkdirTemp).
const (
	notifyDir  = "detach-notify-"
	notifyName = "notify"
)

// sunPath is the room for a socket's path in struct sockaddr_un, its
// terminating NUL included: 108 bytes on Linux, 104 on the BSDs and macOS.
var sunPath = len(syscall.RawSockaddrUnix{}.Path)

func newNotifySocket(u *Credential) (*notifySocket, error) {
	// $TMPDIR may be too deep for a socket path (bind(2) fails with
	// EINVAL); /tmp then serves, as it does for tmux and screen.
	base := os.TempDir()
	if len(filepath.Join(base, notifyDir+"0123456789", notifyName)) >= sunPath {
		base = "/tmp"
	}
	dir, err := os.MkdirTemp(base, notifyDir)
	if err != nil {
		return nil, err
	}
	path := filepath.Join(dir, notifyName)
	f, err := listenUnixgram(path)
	if err == nil && u != nil {
		// The command runs as u and must be able to send to it. The
		// socket first, and without following a link: once the
		// directory is u's, u may put a link to any file at the
		// socket's name, and a chown by that name would give u the file.
		if err = os.Lchown(path, int(u.Uid), int(u.Gid)); err == nil {
			err = os.Chown(dir, int(u.Uid), int(u.Gid))
		}
	}
	if err != nil {
		if f != nil {
			f.Close()
		}
		os.RemoveAll(dir)
		return nil, err
	}
	return &notifySocket{Path: path, dir: dir, f: f}, nil
}

// listenUnixgram binds a datagram socket to path. Each read(2) of it
// returns one datagram.
func listenUnixgram(path string) (*os.File, error) {
	// No SOCK_CLOEXEC on macOS: hold off forks until it is set, as package
	// os does.
	syscall.ForkLock.RLock()
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_DGRAM, 0)
	if err == nil {
		unix.CloseOnExec(fd)
	}
	syscall.ForkLock.RUnlock()
	if err != nil {
		return nil, os.NewSyscallError("socket", err)
	}
	if err := unix.Bind(fd, &unix.SockaddrUnix{Name: path}); err != nil {
		unix.Close(fd)
		return nil, &os.PathError{Op: "bind", Path: path, Err: err}
	}
	if err := unix.SetNonblock(fd, true); err != nil {
		unix.Close(fd)
		return nil, os.NewSyscallError("fcntl", err)
	}
	// A non-blocking descriptor goes to the runtime's poller.
	return os.NewFile(uintptr(fd), path), nil
}

// errNotReady is WaitReady's answer once Settle stopped it and nothing
// queued on the socket said READY=1.
var errNotReady = errors.New("no READY=1")

// WaitReady returns nil once a datagram holds the line READY=1, or
// errNotReady once Settle has stopped it and every datagram queued until
// then has been read without one.
func (n *notifySocket) WaitReady() error {
	buf := make([]byte, 4096)
	for {
		k, err := n.f.Read(buf)
		switch {
		case errors.Is(err, os.ErrDeadlineExceeded):
			return n.drain(buf)
		case errors.Is(err, io.EOF):
			continue // an empty datagram: os.File takes a 0-byte read for EOF
		case err != nil:
			return err
		}
		if saysReady(buf[:k]) {
			return nil
		}
	}
}

// Settle makes WaitReady read what is queued on the socket and return
// instead of waiting for more. A datagram sent before the command exited
// is queued by the time its exit can be known (a Unix datagram is in the
// receiver's queue when send(2) returns), so once the command has exited,
// WaitReady's answer after Settle is the truth about READY=1.
func (n *notifySocket) Settle() error {
	return n.f.SetReadDeadline(time.Now())
}

// drain reads the datagrams queued on the socket, without waiting for
// more, and returns nil if one says READY=1, else errNotReady.
func (n *notifySocket) drain(buf []byte) error {
	if err := n.f.SetReadDeadline(time.Time{}); err != nil {
		return err
	}
	rc, err := n.f.SyscallConn()
	if err != nil {
		return err
	}
	ready := false
	var rerr error
	err = rc.Read(func(fd uintptr) bool {
		for !ready {
			k, err := unix.Read(int(fd), buf)
			switch {
			case errors.Is(err, unix.EINTR):
				continue
			case errors.Is(err, unix.EAGAIN):
				return true // all read
			case err != nil:
				rerr = err
				return true
			}
			ready = saysReady(buf[:k])
		}
		return true
	})
	switch {
	case ready:
		return nil
	case err != nil:
		return err
	case rerr != nil:
		return os.NewSyscallError("read", rerr)
	}
	return errNotReady
}

// saysReady reports whether one datagram holds the line READY=1.
func saysReady(b []byte) bool {
	for _, line := range bytes.Split(b, []byte("\n")) {
		if string(line) == "READY=1" {
			return true
		}
	}
	return false
}

func (n *notifySocket) Close() error {
	err := n.f.Close()
	return errors.Join(err, os.RemoveAll(n.dir))
}
