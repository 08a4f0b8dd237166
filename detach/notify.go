package detach

import (
	"bytes"
	"errors"
	"net"
	"os"
	"path/filepath"
	"syscall"
)

// notifySocket is the sd_notify(3) endpoint of --ready: a datagram socket
// that the command finds in $NOTIFY_SOCKET, in a private directory (0700,
// owned by the command's user), so that only that user, or root, can
// claim readiness.
type notifySocket struct {
	Path string
	dir  string
	conn *net.UnixConn
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
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err == nil && u != nil {
		// The command runs as u and must be able to send to it.
		if err = os.Chown(dir, int(u.Uid), int(u.Gid)); err == nil {
			err = os.Chown(path, int(u.Uid), int(u.Gid))
		}
	}
	if err != nil {
		if conn != nil {
			conn.Close()
		}
		os.RemoveAll(dir)
		return nil, err
	}
	return &notifySocket{Path: path, dir: dir, conn: conn}, nil
}

// WaitReady returns once a datagram holds the line READY=1.
func (n *notifySocket) WaitReady() error {
	buf := make([]byte, 4096)
	for {
		k, _, err := n.conn.ReadFromUnix(buf)
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
	err := n.conn.Close()
	return errors.Join(err, os.RemoveAll(n.dir))
}
