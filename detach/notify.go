package detach

import (
	"bytes"
	"errors"
	"net"
	"os"
	"path/filepath"
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

func newNotifySocket(u *Credential) (*notifySocket, error) {
	dir, err := os.MkdirTemp("", "detach-notify-")
	if err != nil {
		return nil, err
	}
	path := filepath.Join(dir, "notify")
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
