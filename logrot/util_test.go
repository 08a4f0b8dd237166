//go:build linux

package logrot

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func itoa(n int) string { return strconv.Itoa(n) }

func contains(s, sub string) bool { return strings.Contains(s, sub) }

// fcntlGetfl reads the file status flags without f.Fd(), which would set
// the descriptor blocking.
func fcntlGetfl(f *os.File) (fl int, err error) {
	rc, err := f.SyscallConn()
	if err != nil {
		return 0, err
	}
	cerr := rc.Control(func(fd uintptr) { fl, err = unix.FcntlInt(fd, unix.F_GETFL, 0) })
	if cerr != nil {
		return 0, cerr
	}
	return fl, err
}

// fdinfoFlags reads the octal "flags:" line of /proc/PID/fdinfo/FD.
func fdinfoFlags(info string) int {
	for _, line := range strings.Split(info, "\n") {
		if v, ok := strings.CutPrefix(line, "flags:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(v), 8, 64)
			return int(n)
		}
	}
	return -1
}

// testSink opens a sink on path as the writer does, with a fresh journal.
func testSink(tb testing.TB, path string, p Policy) *sink {
	tb.Helper()
	dirfd, err := unix.Open(filepath.Dir(path), unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		tb.Fatal(err)
	}
	j, err := newJournal([]byte("test"))
	if err != nil {
		tb.Fatal(err)
	}
	j = openJournal(j.fd)
	s := newSink(dirfd, filepath.Dir(path), filepath.Base(path), p, j)
	s.alert = func(msg string) { tb.Errorf("alert: %s", msg) }
	tb.Cleanup(func() {
		unix.Close(s.dirfd)
		unix.Close(j.fd)
	})
	return s
}
