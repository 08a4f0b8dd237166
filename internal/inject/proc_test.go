package inject

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func open(t *testing.T, name string) *os.File {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func TestParseMaps(t *testing.T) {
	ms, err := parseMaps(open(t, "maps-cat.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var vdso, exec int
	for _, m := range ms {
		if m.End <= m.Start {
			t.Errorf("mapping %+v: empty", m)
		}
		if m.Name == "[vdso]" {
			vdso++
			if m.Perms != "r-xp" {
				t.Errorf("vdso perms %q", m.Perms)
			}
		}
		if strings.Contains(m.Perms, "x") {
			exec++
		}
	}
	if vdso != 1 || exec < 3 {
		t.Errorf("found %d vdso and %d executable mappings; want 1 and several", vdso, exec)
	}
	ms, err = parseMaps(strings.NewReader("00400000-00401000 r-xp 00000000 08:01 12 /a dir/with spaces\n"))
	if err != nil || len(ms) != 1 || ms[0].Name != "/a dir/with spaces" || ms[0].Start != 0x400000 {
		t.Errorf("parseMaps(spaces) = %+v, %v", ms, err)
	}
	if _, err := parseMaps(strings.NewReader("zz-01 r-xp 0 0:0 0\n")); err == nil {
		t.Error("parseMaps(bad range) succeeded")
	}
}

func TestIsTerminal(t *testing.T) {
	drivers, err := parseTTYDrivers(open(t, "tty-drivers.txt"))
	if err != nil || len(drivers) < 5 {
		t.Fatalf("parseTTYDrivers = %v, %v", drivers, err)
	}
	tests := []struct {
		name         string
		major, minor uint32
		want         bool
	}{
		{"/dev/pts/3", 136, 3, true},
		{"/dev/pts/300", 136, 300, true},
		{"/dev/tty", 5, 0, true},
		{"/dev/console", 5, 1, true},
		{"/dev/ptmx (a master)", 5, 2, false},
		{"/dev/tty1", 4, 1, true},
		{"/dev/ttyS0", 4, 64, true},
		{"a pty master", 128, 3, false},
		{"/dev/null", 1, 3, false},
	}
	for _, tt := range tests {
		if got := isTerminal(drivers, tt.major, tt.minor); got != tt.want {
			t.Errorf("isTerminal(%s %d:%d) = %v; want %v", tt.name, tt.major, tt.minor, got, tt.want)
		}
		if got := isTerminal(nil, tt.major, tt.minor); got != tt.want && tt.major != 128 {
			t.Errorf("isTerminal without a table (%s) = %v; want %v", tt.name, got, tt.want)
		}
	}
}

func TestParseFdinfoFlags(t *testing.T) {
	b, _ := os.ReadFile(filepath.Join("testdata", "fdinfo.txt"))
	if f, err := parseFdinfoFlags(b); err != nil || f&3 != 1 {
		t.Errorf("parseFdinfoFlags = %o, %v; want a write-only fd", f, err)
	}
	if f, err := parseFdinfoFlags([]byte("pos:\t0\nflags:\t02100002\n")); err != nil || f != 0o2100002 {
		t.Errorf("parseFdinfoFlags = %o, %v; want 2100002", f, err)
	}
}
