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
