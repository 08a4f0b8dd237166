package pidfile

import (
	"strconv"
	"strings"
	"testing"
)

// FuzzLockHolder: any /proc/locks text gives a pid that is 0 or positive
// and, when not 0, printed in a line that names the file, never a panic.
func FuzzLockHolder(f *testing.F) {
	f.Add([]byte("1: FLOCK  ADVISORY  WRITE 4242 fd:01:1234 0 EOF\n"), "fd:01:1234")
	f.Add([]byte("1: FLOCK  ADVISORY  WRITE 4242 fd:01:1234 0 EOF\n1: -> FLOCK  ADVISORY  WRITE 77 fd:01:1234 0 EOF\n"), "fd:01:1234")
	f.Add([]byte("2: POSIX  ADVISORY  WRITE 0 08:02:99 0 EOF\n"), "08:02:99")
	f.Add([]byte(""), "")
	f.Fuzz(func(t *testing.T, locks []byte, id string) {
		pid := lockHolder(locks, id)
		if pid < 0 {
			t.Fatalf("lockHolder = %d", pid)
		}
		if pid > 0 && (!strings.Contains(string(locks), strconv.Itoa(pid)) || !strings.Contains(string(locks), id)) {
			t.Fatalf("lockHolder = %d, not in a line naming %q", pid, id)
		}
	})
}

func TestLockHolder(t *testing.T) {
	locks := []byte("1: FLOCK  ADVISORY  WRITE 4242 fd:01:1234 0 EOF\n" +
		"1: -> FLOCK  ADVISORY  WRITE 77 fd:01:1234 0 EOF\n" +
		"2: POSIX  ADVISORY  WRITE 55 fd:01:99 0 EOF\n" +
		"3: FLOCK  ADVISORY  WRITE 0 fd:01:5 0 EOF\n")
	for _, tt := range []struct {
		id   string
		want int
	}{{"fd:01:1234", 4242}, {"fd:01:99", 0}, {"fd:01:5", 0}, {"fd:01:6", 0}} {
		if got := lockHolder(locks, tt.id); got != tt.want {
			t.Errorf("lockHolder(%s) = %d; want %d", tt.id, got, tt.want)
		}
	}
}

// FuzzParsePid: a pid is accepted only when the text is exactly that pid,
// written back, with or without a newline.
func FuzzParsePid(f *testing.F) {
	for _, s := range []string{"4242\n", "4242", "", "\n", "0\n", "-1\n", "042\n", "4242\nx", " 4242\n", "99999999999999999999\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		pid, ok := parsePid(b)
		if ok && string(b) != strconv.Itoa(pid) && string(b) != strconv.Itoa(pid)+"\n" {
			t.Fatalf("parsePid(%q) = %d, true", b, pid)
		}
		if ok && pid <= 0 {
			t.Fatalf("parsePid(%q) = %d, true; want a positive pid", b, pid)
		}
		// And the other way: every pid as written is taken.
		if n, err := strconv.Atoi(strings.TrimSuffix(string(b), "\n")); err == nil && n > 0 {
			line := strconv.Itoa(n) + "\n"
			if got, ok := parsePid([]byte(line)); !ok || got != n {
				t.Fatalf("parsePid(%q) = %d, %v; want %d, true", line, got, ok, n)
			}
		}
	})
}
