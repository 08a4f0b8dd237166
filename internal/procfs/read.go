package procfs

import (
	"os"

	"golang.org/x/sys/unix"
)

// ReadFile reads a whole file, in practice a small /proc or /sys file, with
// plain system calls. os.ReadFile would hand the descriptor to the Go
// runtime's poller, and the poller's first use creates an epoll instance,
// an eventfd and a thread to wait in it: on the launch path that is a
// dozen system calls and a thread for one read of a few hundred bytes.
// Reads of regular and proc files never wait for readiness, so the poller
// buys nothing here. Errors are *os.PathError, as os.ReadFile's.
func ReadFile(path string) ([]byte, error) {
	fd, err := retry(func() (int, error) { return unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0) })
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	defer unix.Close(fd)
	// A proc file has no size to ask for (stat says 0); most of those the
	// suite reads fit in 512 bytes, and the buffer doubles for the rest.
	buf := make([]byte, 0, 512)
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := retry(func() (int, error) { return unix.Read(fd, buf[len(buf):cap(buf)]) })
		if err != nil {
			return nil, &os.PathError{Op: "read", Path: path, Err: err}
		}
		if n == 0 {
			return buf, nil
		}
		buf = buf[:len(buf)+n]
	}
}

// retry repeats a system call that a signal interrupted (EINTR), as the
// os package does.
func retry(call func() (int, error)) (int, error) {
	for {
		n, err := call()
		if err != unix.EINTR {
			return n, err
		}
	}
}
