package reattach

import (
	"errors"
	"fmt"

	"golang.org/x/sys/unix"
)

// dumpListeners asks the kernel, over NETLINK_SOCK_DIAG, for every
// listening AF_UNIX socket in this network namespace, keyed by socket
// inode. Unlike /proc/net/unix it also gives the inode and device of the
// socket *file* (UDIAG_SHOW_VFS), which the kernel keeps even after the file
// was unlinked: comparing it with stat(path) proves whose file is on disk.
// It works unprivileged.
func dumpListeners() (map[uint32]diagSocket, error) {
	return sockDiag(0)
}

// lookupListener asks for the one socket ino, which must be listening.
func lookupListener(ino uint32) (diagSocket, bool) {
	m, err := sockDiag(ino)
	d, ok := m[ino]
	return d, err == nil && ok && d.State == tcpListen
}

func sockDiag(ino uint32) (map[uint32]diagSocket, error) {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_SOCK_DIAG)
	if err != nil {
		return nil, fmt.Errorf("sock_diag: socket: %w", err)
	}
	defer unix.Close(fd)
	if err := unix.Sendto(fd, sockDiagRequest(1, ino), 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return nil, fmt.Errorf("sock_diag: send: %w", err)
	}
	out := make(map[uint32]diagSocket)
	buf := make([]byte, 64<<10)
	for {
		n, _, err := unix.Recvfrom(fd, buf, 0)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("sock_diag: recv: %w", err)
		}
		if n == 0 {
			return out, nil
		}
		socks, err := parseSockDiag(buf[:n])
		for _, s := range socks {
			out[s.Ino] = s
		}
		if errors.Is(err, errDumpDone) || (ino != 0 && err == nil) {
			return out, nil // an exact request is answered by one message
		}
		if err != nil {
			return nil, err
		}
	}
}
