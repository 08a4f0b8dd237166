package reattach

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/nohupx/nohupx/internal/procfs"
)

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// sockdiag-dump.bin is a real dump (Linux 6.18, amd64) taken while a tmux
// and a screen server listened on /tmp/fx/...; stat(1) then gave their
// socket files inodes 9988312 and 9988311 on device 65024 (254:0).
func TestParseSockDiag(t *testing.T) {
	if binary.NativeEndian.Uint16([]byte{1, 0}) != 1 {
		t.Skip("the fixture was captured on a little-endian host")
	}
	got, err := parseSockDiag(fixture(t, "sockdiag-dump.bin"))
	if err != errDumpDone {
		t.Fatalf("parseSockDiag err = %v; want errDumpDone", err)
	}
	want := []diagSocket{
		{Ino: 1015764, State: tcpListen, Path: "/tmp/fx/S-root/7170.main", VFS: true, Dev: 254 << 20, FIno: 9988311},
		{Ino: 1015745, State: tcpListen, Path: "/tmp/fx/tmux-0/default", VFS: true, Dev: 254 << 20, FIno: 9988312},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("parseSockDiag = %+v; want %+v", got, want)
	}
	if d := userDev(got[0].Dev); d != 65024 {
		t.Errorf("userDev(%#x) = %d; want 65024 (stat's st_dev for 254:0)", got[0].Dev, d)
	}
}

func TestUserDev(t *testing.T) {
	for _, c := range []struct {
		major, minor uint32
		want         uint64
	}{
		{0, 45, 45},        // tmpfs
		{8, 1, 0x801},      // sda1
		{254, 0, 0xfe00},   // vda
		{259, 3, 0x10303},  // nvme: major above 255
		{0, 300, 0x10002c}, // minor above 255: its high bits go above the major
	} {
		if got := userDev(c.major<<20 | c.minor); got != c.want {
			t.Errorf("userDev(%d:%d) = %#x; want %#x", c.major, c.minor, got, c.want)
		}
	}
}

func TestSockDiagErrorAndTruncation(t *testing.T) {
	msg := make([]byte, 20)
	binary.NativeEndian.PutUint32(msg[0:], 20)
	binary.NativeEndian.PutUint16(msg[4:], nlmsgError)
	binary.NativeEndian.PutUint32(msg[16:], uint32(0xffffffff-12)) // -EACCES (13)
	if _, err := parseSockDiag(msg); err == nil || !strings.Contains(err.Error(), "permission denied") {
		t.Errorf("parseSockDiag(NLMSG_ERROR -13) = %v; want permission denied", err)
	}
	binary.NativeEndian.PutUint32(msg[0:], 400)
	if _, err := parseSockDiag(msg); err == nil {
		t.Error("parseSockDiag(length past the buffer) = nil error; want one")
	}
}

func TestParseProcNetUnix(t *testing.T) {
	f, err := os.Open(filepath.Join("testdata", "procnet-unix.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, err := parseProcNetUnix(f)
	if err != nil {
		t.Fatal(err)
	}
	want := map[uint32]string{1015764: "/tmp/fx/S-root/7170.main", 1015745: "/tmp/fx/tmux-0/default"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("parseProcNetUnix = %v; want %v (listeners only, no unbound sockets)", got, want)
	}
	spaced := "Num       RefCount Protocol Flags    Type St Inode Path\n" +
		"0000000000000000: 00000002 00000000 00010000 0001 01 77 /tmp/a dir/sock\n" +
		"0000000000000000: 00000002 00000000 00010000 0001 01 78 @abstract\n"
	got, _ = parseProcNetUnix(strings.NewReader(spaced))
	if want := map[uint32]string{77: "/tmp/a dir/sock"}; !reflect.DeepEqual(got, want) {
		t.Errorf("parseProcNetUnix(space in path, abstract) = %v; want %v", got, want)
	}
}

func TestParseProcStat(t *testing.T) {
	got, err := procfs.ParseStat(fixture(t, "proc-stat-tmux.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if got.Comm != "tmux: server" || got.PPID != 1 || got.Start == 0 {
		t.Errorf("parseProcStat(tmux server) = %+v; want comm %q, ppid 1, a start time", got, "tmux: server")
	}
	got, err = procfs.ParseStat([]byte("42 (a) b) c) S 7 42 42 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 999 0 0"))
	if err != nil || got.Comm != "a) b) c" || got.PPID != 7 || got.Start != 999 {
		t.Errorf("parseProcStat(comm with parentheses) = %+v, %v", got, err)
	}
}

func TestKindOf(t *testing.T) {
	for _, c := range []struct {
		comm, argv0 string
		want        Kind
		ok          bool
	}{
		{"tmux: server", "tmux", Tmux, true},
		{"tmux: client", "tmux", "", false},
		{"screen", "SCREEN", Screen, true},
		{"screen", "screen", "", false}, // a client
		{"abduco", "abduco", Abduco, true},
		{"emacs", "emacs", Emacs, true},
		{"dtach", "dtach", Dtach, true},
		{"bash", "bash", "", false},
	} {
		if k, ok := kindOf(c.comm, c.argv0); k != c.want || ok != c.ok {
			t.Errorf("kindOf(%q, %q) = %q, %v; want %q, %v", c.comm, c.argv0, k, ok, c.want, c.ok)
		}
	}
}

func TestParseFanotify(t *testing.T) {
	if binary.NativeEndian.Uint16([]byte{1, 0}) != 1 {
		t.Skip("the fixture was captured on a little-endian host")
	}
	// fanotify-delete.handle: the watched directory's name_to_handle_at
	// key, and the pid that deleted "default" and then rmdir'ed "tmux-0".
	meta := strings.Fields(string(fixture(t, "fanotify-delete.handle")))
	key, pid := meta[0], meta[2]
	evs, err := parseFanotify(fixture(t, "fanotify-delete.bin"))
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 2 {
		t.Fatalf("parseFanotify = %d events; want 2", len(evs))
	}
	for i, want := range []struct {
		name string
		dir  bool
	}{{"default", false}, {"tmux-0", true}} {
		ev := evs[i]
		if ev.Name != want.name || ev.DirKey() != key || ev.Mask&fanDelete == 0 || (ev.Mask&fanOnDir != 0) != want.dir {
			t.Errorf("event %d = %q key %s mask %#x; want %q key %s (directory %v)", i, ev.Name, ev.DirKey(), ev.Mask, want.name, key, want.dir)
		}
		if got := strconv.Itoa(int(ev.PID)); got != pid {
			t.Errorf("event %d pid = %s; want %s", i, got, pid)
		}
	}
	if _, err := parseFanotify([]byte{200, 0, 0, 0, 3, 0, 24, 0}); err != nil {
		t.Errorf("parseFanotify(short read) = %v; want nothing parsed and no error", err)
	}
}
