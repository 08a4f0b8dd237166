package reattach

import (
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// The kernel's answer for a socket this test listens on: its bound path,
// and the socket file's identity as stat(2) reports it, both from the dump
// and from the exact query, and still after the file is deleted.
func TestSockDiagLive(t *testing.T) {
	// Short: t.TempDir's name is long, and a socket path must fit in
	// sun_path's 108 bytes.
	dir, err := os.MkdirTemp("", "sd")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	path := filepath.Join(dir, "s")
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	if err := unix.Bind(fd, &unix.SockaddrUnix{Name: path}); err != nil {
		t.Fatal(err)
	}
	if err := unix.Listen(fd, 1); err != nil {
		t.Fatal(err)
	}
	var sock, file unix.Stat_t
	unix.Fstat(fd, &sock)
	unix.Stat(path, &file)
	want := FileID{Dev: uint64(file.Dev), Ino: file.Ino}
	os.Remove(path)

	all, err := dumpListeners()
	if err != nil {
		t.Fatal(err)
	}
	for name, d := range map[string]diagSocket{"dump": all[uint32(sock.Ino)], "exact": first(lookupListener(uint32(sock.Ino)))} {
		got := FileID{Dev: userDev(d.Dev), Ino: uint64(d.FIno)}
		if d.Path != path || !d.VFS || got != want || d.State != tcpListen {
			t.Errorf("%s: %+v, file %+v; want path %s, listening, file %+v", name, d, got, path, want)
		}
	}
	if _, ok := lookupListener(1); ok {
		t.Error("lookupListener(1) found a listener")
	}
}

func first(d diagSocket, _ bool) diagSocket { return d }
