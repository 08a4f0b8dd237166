package procfs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func fixture(t *testing.T, name string) *os.File {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func TestParseStatusFixtures(t *testing.T) {
	st, err := ParseStatus(fixture(t, "status-sleep.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if st.Name != "sleep" || st.State != 'S' || st.Tgid == 0 || st.TracerPid != 0 || st.Kthread || st.Seccomp != 0 {
		t.Errorf("ParseStatus(sleep) = %+v", st)
	}
	if st.UID != [4]int{0, 0, 0, 0} || st.GID != [4]int{0, 0, 0, 0} {
		t.Errorf("ParseStatus(sleep): uids %v gids %v; want all 0", st.UID, st.GID)
	}
	k, err := ParseStatus(fixture(t, "status-kthreadd.txt"))
	if err != nil || !k.Kthread || k.Name != "kthreadd" {
		t.Errorf("ParseStatus(kthreadd) = %+v, %v; want a kernel thread", k, err)
	}
	// A tmux server catches SIGUSR1 (10) and SIGCHLD (17).
	tm, err := ParseStatus(fixture(t, "status-tmux.txt"))
	if err != nil || tm.Name != "tmux: server" || tm.SigCgt&(1<<9) == 0 || tm.SigCgt&(1<<16) == 0 {
		t.Errorf("ParseStatus(tmux) = %+v, %v; want SIGUSR1 and SIGCHLD caught", tm, err)
	}
}

func TestParseStatus(t *testing.T) {
	const head = "Name:\tmy prog\nState:\tT (stopped)\nTgid:\t42\nPPid:\t7\nTracerPid:\t99\n"
	const ids = "Uid:\t1000\t0\t1000\t1000\nGid:\t100\t100\t100\t100\n"
	tests := []struct {
		name, in string
		want     Status
		err      bool
	}{
		{name: "full", in: head + ids + "SigPnd:\t0000000000000100\nSigIgn:\t0000000000000001\nSigCgt:\t0000000180004002\nCapEff:\t0000000000080000\nSeccomp:\t2\nKthread:\t0\n",
			want: Status{Name: "my prog", State: 'T', Tgid: 42, PPID: 7, TracerPid: 99, UID: [4]int{1000, 0, 1000, 1000},
				GID: [4]int{100, 100, 100, 100}, Seccomp: 2, CapEff: 1 << 19, SigIgn: 1, SigCgt: 0x180004002, SigPnd: 0x100}},
		{name: "unknown lines skipped", in: "VmRSS:\t  100 kB\nnot a field\n" + head + ids,
			want: Status{Name: "my prog", State: 'T', Tgid: 42, PPID: 7, TracerPid: 99, UID: [4]int{1000, 0, 1000, 1000},
				GID: [4]int{100, 100, 100, 100}}},
		{name: "truncated", in: "Name:\tx\n", err: true},
		{name: "no Gid", in: head + "Uid:\t1 1 1 1\n", err: true},
		{name: "bad uid", in: head + "Uid:\tx\t0\t0\t0\nGid:\t0\t0\t0\t0\n", err: true},
		{name: "short uid line", in: head + "Uid:\t1000\nGid:\t0\t0\t0\t0\n", err: true},
		{name: "bad mask", in: head + ids + "SigCgt:\tzz\n", err: true},
		{name: "bad pending mask", in: head + ids + "SigPnd:\tzz\n", err: true},
		{name: "empty state", in: "Name:\tx\nState:\t\nTgid:\t1\nTracerPid:\t0\n" + ids, err: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseStatus(strings.NewReader(tt.in))
			if (err != nil) != tt.err || (!tt.err && got != tt.want) {
				t.Errorf("ParseStatus(%q) = %+v, %v; want %+v (error %v)", tt.in, got, err, tt.want, tt.err)
			}
		})
	}
}

func TestReadStatusSelf(t *testing.T) {
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("no /proc")
	}
	st, err := ReadStatus(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if st.Tgid != os.Getpid() || st.UID[1] != os.Geteuid() || st.PPID != os.Getppid() {
		t.Errorf("ReadStatus(self) = %+v; want tgid %d, euid %d, ppid %d", st, os.Getpid(), os.Geteuid(), os.Getppid())
	}
}
