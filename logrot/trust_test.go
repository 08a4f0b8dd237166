//go:build linux

package logrot

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/nohupx/nohupx/internal/testbin"
)

// trustSink is a sink on dir/nohup.out whose alerts are collected rather
// than failing the test.
type trustSink struct {
	*sink
	mu     sync.Mutex
	alerts []string
}

func newTrustSink(t *testing.T, path string, p Policy) *trustSink {
	t.Helper()
	ts := &trustSink{sink: testSink(t, path, p)}
	ts.alert = func(msg string) {
		ts.mu.Lock()
		ts.alerts = append(ts.alerts, msg)
		ts.mu.Unlock()
	}
	if err := ts.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ts.Close() })
	return ts
}

func (ts *trustSink) alerted(sub string) bool {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	for _, a := range ts.alerts {
		if strings.Contains(a, sub) {
			return true
		}
	}
	return false
}

// ownBackups lists the backups in dir that are regular files of this
// user, by name.
func ownBackups(t *testing.T, dir string) []string {
	t.Helper()
	names := newBackupNamer(-1, "nohup.out")
	ents, _ := os.ReadDir(dir)
	var got []string
	for _, e := range ents {
		var st unix.Stat_t
		if _, ok := names.parse(e.Name()); ok && unix.Lstat(filepath.Join(dir, e.Name()), &st) == nil &&
			int(st.Uid) == os.Geteuid() && st.Mode&unix.S_IFMT == unix.S_IFREG {
			got = append(got, e.Name())
		}
	}
	return got
}

// sharedLog makes an empty nohup.out of root's in a sticky directory that
// everyone may write, as /tmp is, where another user will plant things.
func sharedLog(t *testing.T) (dir, path string) {
	t.Helper()
	testbin.NeedRoot(t, "to plant another user's files")
	dir = t.TempDir()
	os.Chmod(dir, 0o777|os.ModeSticky)
	path = filepath.Join(dir, "nohup.out")
	os.WriteFile(path, nil, 0o600)
	return dir, path
}

// writeRotate writes a line and rotates, n times: n backups.
func writeRotate(t *testing.T, s *trustSink, n int) {
	t.Helper()
	for i := range n {
		s.Write([]byte("line "+itoa(i)+"\n"), nil)
		if err := s.RotateNow(); err != nil {
			t.Fatal(err)
		}
	}
}

// TestSinkLockHeld: anyone who can open the log's directory can flock it.
// The relay waits for that lock a bounded time, rotates without it, says
// so once, and does not wait again: the job never stalls behind it.
func TestSinkLockHeld(t *testing.T) {
	defer func(d time.Duration) { lockWait = d }(lockWait)
	lockWait = 100 * time.Millisecond
	dir := t.TempDir()
	path := filepath.Join(dir, "nohup.out")
	os.WriteFile(path, nil, 0o600)
	other, err := os.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if err := unix.Flock(int(other.Fd()), unix.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	s := newTrustSink(t, path, Policy{MaxSize: 1 << 20}) // Open waits lockWait once
	// Any further wait would now be a hang: only one is allowed.
	s.mu.Lock()
	lockWait = time.Hour
	s.mu.Unlock()
	done := make(chan struct{})
	go func() {
		defer close(done)
		writeRotate(t, s, 20)
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		other.Close() // let go, so that the waits end
		<-done
		t.Fatal("20 rotations had not ended in 30 s: the relay waits for the lock again")
	}
	s.mu.Lock()
	n := 0
	for _, a := range s.alerts {
		// (The tries after lockWait was raised say "over 1h0m0s".)
		if strings.Contains(a, "locked by another process for over 100ms") {
			n++
		}
	}
	s.mu.Unlock()
	if n != 1 {
		t.Errorf("alerts %q; want one saying the directory was locked, once", s.alerts)
	}
	if n := len(ownBackups(t, dir)); n != 20 {
		t.Errorf("%d backups; want 20, the lock notwithstanding", n)
	}
}

// TestSinkEarlierBackups: retention is of the file, an earlier job's
// backups included, but a job removes none of them before its own first
// rotation: one that only appends a line to a file another job rotated
// leaves that job's backups alone.
func TestSinkEarlierBackups(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "nohup.out")
	os.WriteFile(path, nil, 0o600)
	names := newBackupNamer(-1, "nohup.out")
	var earlier []string
	for h := 3; h > 0; h-- {
		n := names.name(time.Now().Add(-time.Duration(h) * time.Hour))
		earlier = append(earlier, n)
		os.WriteFile(filepath.Join(dir, n), []byte("earlier\n"), 0o600)
	}
	s := newTrustSink(t, path, Policy{MaxSize: 1 << 20, Keep: 1})
	s.Write([]byte("a line\n"), nil)
	s.mill.pass() // as at the start, and after every write
	if got := ownBackups(t, dir); !slices.Equal(got, earlier) {
		t.Errorf("before this job rotates: backups %q; want the earlier job's %q, all", got, earlier)
	}
	writeRotate(t, s, 3)
	s.Close()
	if got := ownBackups(t, dir); len(got) != 2 || slices.Contains(got, earlier[2]) {
		t.Errorf("after 3 rotations: backups %q; want this job's first and the newest, none of %q", got, earlier)
	}
}

// TestSinkPlantedBackups: regular files of another user under backup
// names, dated far ahead, neither push this relay's backup names past
// them (out of what parses) nor take the places of its newest in Keep.
func TestSinkPlantedBackups(t *testing.T) {
	dir, path := sharedLog(t)
	names := newBackupNamer(-1, "nohup.out")
	var planted []string
	for _, ts := range []time.Time{
		time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2099, 1, 2, 0, 0, 0, 0, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 999e6, time.UTC),
	} {
		p := filepath.Join(dir, names.name(ts))
		os.WriteFile(p, []byte("planted\n"), 0o644)
		os.Chown(p, 65534, 65534)
		planted = append(planted, p)
	}
	s := newTrustSink(t, path, Policy{MaxSize: 1 << 20, Keep: 2})
	writeRotate(t, s, 5)
	s.Close()
	got := ownBackups(t, dir)
	if len(got) != 3 {
		t.Errorf("own backups %q; want 3: the first and the 2 newest", got)
	}
	for _, n := range got {
		if !strings.Contains(n, time.Now().UTC().Format("2006-01-")) {
			t.Errorf("backup %s; want it named after now, not after the planted names", n)
		}
	}
	for _, p := range planted {
		if b, err := os.ReadFile(p); err != nil || string(b) != "planted\n" {
			t.Errorf("planted %s: %q, %v; want it left alone", p, b, err)
		}
	}
}

// TestSinkNameTaken: when the live file is removed and another user's
// file takes its name, what the job writes would go to a file no one can
// read: it is dropped and reported, and once the name is free the relay
// writes again, starting with how much was dropped.
func TestSinkNameTaken(t *testing.T) {
	_, path := sharedLog(t)
	s := newTrustSink(t, path, Policy{MaxSize: 1 << 20})
	s.Write([]byte("one\n"), nil)
	os.Remove(path)
	os.WriteFile(path, []byte("theirs\n"), 0o644)
	os.Chown(path, 65534, 65534)
	s.Write([]byte("two\n"), nil)
	if !s.alerted("has its name now") {
		t.Errorf("alerts %q; want one saying the name was taken", s.alerts)
	}
	if b, _ := os.ReadFile(path); string(b) != "theirs\n" {
		t.Errorf("their file holds %q; want it untouched", b)
	}
	os.Remove(path)
	s.Write([]byte("three\n"), nil)
	s.Close()
	b, _ := os.ReadFile(path)
	if !strings.Contains(string(b), "dropped 4 bytes of output") || !strings.HasSuffix(string(b), "three\n") {
		t.Errorf("the new file holds %q; want the drop of 4 bytes said, then three", b)
	}
}

// TestSinkDirRemade: a removed log directory is made again only on a
// path that no one else could have changed: not through a symbolic link
// put where a removed directory was, and not as a directory someone else
// made under its name.
func TestSinkDirRemade(t *testing.T) {
	tests := []struct {
		name  string
		root  bool
		plant func(t *testing.T, top, outside string)
		want  string // in the alert
	}{
		{"through a symbolic link", false, func(t *testing.T, top, outside string) {
			os.Symlink(outside, filepath.Join(top, "a"))
		}, "/a' is not a directory"}, // quoted, as safedir names it
		{"a directory of another user", true, func(t *testing.T, top, outside string) {
			os.Chmod(top, 0o777|os.ModeSticky)
			os.Mkdir(filepath.Join(top, "a"), 0o777)
			os.Chown(filepath.Join(top, "a"), 65534, 65534)
		}, "/a' belongs to uid 65534"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.root {
				testbin.NeedRoot(t, "to plant another user's files")
			}
			top, outside := t.TempDir(), t.TempDir()
			dir := filepath.Join(top, "a", "logs")
			os.MkdirAll(dir, 0o700)
			path := filepath.Join(dir, "nohup.out")
			os.WriteFile(path, nil, 0o600)
			s := newTrustSink(t, path, Policy{MaxSize: 1 << 20})
			s.Write([]byte("one\n"), nil)
			if err := os.RemoveAll(filepath.Join(top, "a")); err != nil {
				t.Fatal(err)
			}
			tt.plant(t, top, outside)
			s.Write([]byte("two\n"), nil)
			if !s.alerted(tt.want) {
				t.Errorf("alerts %q; want one saying %q", s.alerts, tt.want)
			}
			if ents, _ := os.ReadDir(outside); len(ents) != 0 {
				t.Errorf("%s holds %d entries; want nothing made there", outside, len(ents))
			}
			if _, err := os.Lstat(filepath.Join(top, "a", "logs")); err == nil {
				t.Errorf("%s/a/logs was made; want nothing made below what is not ours", top)
			}
		})
	}
}

// TestMillMaxAgeQuiet: with --max-age, old backups go even when the job
// has stopped writing, so that no rotation comes to trigger a pass.
func TestMillMaxAgeQuiet(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "nohup.out")
	os.WriteFile(path, nil, 0o600)
	s := newTrustSink(t, path, Policy{MaxSize: 1 << 20, MaxAge: time.Second})
	s.Write([]byte("one\n"), nil)
	if err := s.RotateNow(); err != nil {
		t.Fatal(err)
	}
	if n := len(ownBackups(t, dir)); n != 1 {
		t.Fatalf("%d backups; want 1", n)
	}
	waitFor(t, 10*time.Second, "the quiet backup past --max-age removed", func() bool {
		return len(ownBackups(t, dir)) == 0
	})
}

// TestSinkCloseKeeps: the notes of the mill's last pass, written at Close,
// can fill the live file and rotate it once more; Keep must still hold
// after that rotation, whenever the asynchronous passes before it ran.
func TestSinkCloseKeeps(t *testing.T) {
	line := func(n int) []byte { return []byte(strings.Repeat("x", n-1) + "\n") }
	for round := range 30 {
		dir := t.TempDir()
		path := filepath.Join(dir, "nohup.out")
		os.WriteFile(path, nil, 0o600)
		s := newTrustSink(t, path, Policy{MaxSize: 1000, Keep: 1})
		for range 3 {
			s.Write(line(600), nil)
			if err := s.RotateNow(); err != nil {
				t.Fatal(err)
			}
		}
		s.Write(line(900+round%3*30), nil)
		s.Close()
		if got := ownBackups(t, dir); len(got) > 2 {
			t.Fatalf("round %d: %d backups %q; want at most the first and 1 newest", round, len(got), got)
		}
	}
}
