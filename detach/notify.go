package detach

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"syscall"

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
		// The command runs as u and must be able to send to it.
		if err = os.Chown(dir, int(u.Uid), int(u.Gid)); err == nil {
			err = os.Chown(path, int(u.Uid), int(u.Gid))
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

// WaitReady returns once a datagram holds the line READY=1.
func (n *notifySocket) WaitReady() error {
	buf := make([]byte, 4096)
	for {
		k, err := n.f.Read(buf)
		if errors.Is(err, io.EOF) {
			continue // an empty datagram: os.File takes a 0-byte read for EOF
		}
		if err != nil {
			return err
		}
		for _, line := range bytes.Split(buf[:k], []byte("\n")) {
			if string(line) == "READY=1" {
				return nil
			}
		}
	}
}

func (n *notifySocket) Close() error {
	err := n.f.Close()
	return errors.Join(err, os.RemoveAll(n.dir))
}
