package pidfile

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/nohupx/nohupx/internal/testbin"
)

// holder starts a process that inherits f, and with it f's lock.
func holder(t *testing.T, f *os.File) *exec.Cmd {
	t.Helper()
	cmd := exec.Command("sleep", "30")
	cmd.ExtraFiles = []*os.File{f}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd
}

func TestFreshAndRunning(t *testing.T) {
	path := filepath.Join(t.TempDir(), "job.pid")
	p, err := Prepare(path)
	if err != nil {
		t.Fatal(err)
	}
	h := holder(t, p.File())
	if err := p.Commit(h.Process.Pid); err != nil {
		t.Fatal(err)
	}
	p.File().Close() // only the holder has the lock now
	b, _ := os.ReadFile(path)
	st, _ := os.Stat(path)
	if string(b) != strconv.Itoa(h.Process.Pid)+"\n" || st.Mode().Perm() != 0o644 {
		t.Errorf("pidfile = %q mode %v; want the pid and -rw-r--r--", b, st.Mode())
	}
	_, err = Prepare(path)
	var re *RunningError
	if !errors.As(err, &re) || re.Pid != h.Process.Pid {
		t.Fatalf("second Prepare = %v; want RunningError with pid %d", err, h.Process.Pid)
	}
	if got := err.Error(); got != "already running (pid "+strconv.Itoa(h.Process.Pid)+")" {
		t.Errorf("message = %q", got)
	}
	// When the holder exits, the file is stale and is reclaimed.
	h.Process.Kill()
	h.Wait()
	p, err = Prepare(path)
	if err != nil {
		t.Fatalf("Prepare after the holder died = %v; want the stale file reclaimed", err)
	}
	if err := p.Commit(4242); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != "4242\n" {
		t.Errorf("reclaimed pidfile = %q; want 4242", b)
	}
	if tmps, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".job.pid.*")); len(tmps) != 0 {
		t.Errorf("temporary files left behind: %v", tmps)
	}
}

func TestRefusals(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "target")
	os.WriteFile(target, []byte("precious\n"), 0o600)
	link := filepath.Join(dir, "link.pid")
	os.Symlink(target, link)
	if _, err := Prepare(link); !errors.Is(err, ErrSymlink) {
		t.Errorf("Prepare(symlink) = %v; want ErrSymlink", err)
	}
	if b, _ := os.ReadFile(target); string(b) != "precious\n" {
		t.Errorf("the symlink's target was changed: %q", b)
	}
	sub := filepath.Join(dir, "sub.pid")
	os.Mkdir(sub, 0o755)
	if _, err := Prepare(sub); err == nil || err.Error() != "is not a regular file but a directory" {
		t.Errorf("Prepare(directory) = %v; want 'is not a regular file but a directory'", err)
	}
	if _, err := Prepare(filepath.Join(dir, "missing", "x.pid")); err == nil {
		t.Error("Prepare in a missing directory succeeded")
	}
	p, err := Prepare(filepath.Join(dir, "aborted.pid"))
	if err != nil {
		t.Fatal(err)
	}
	p.Abort()
	if ents, _ := os.ReadDir(dir); len(ents) != 3 {
		t.Errorf("after Abort the directory holds %d entries; want 3 (nothing left behind)", len(ents))
	}
}

// TestNeverPartial: a reader polling the pidfile while writers replace it
// sees either no file or a whole pid, never an empty or partial one.
func TestNeverPartial(t *testing.T) {
	path := filepath.Join(t.TempDir(), "job.pid")
	stop := make(chan struct{})
	var bad []string
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			b, err := os.ReadFile(path)
			if err == nil && (len(b) == 0 || b[len(b)-1] != '\n') {
				bad = append(bad, string(b))
			}
		}
	}()
	deadline := time.Now().Add(500 * time.Millisecond)
	for i := 1000000; time.Now().Before(deadline); i++ {
		p, err := Prepare(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Commit(i); err != nil {
			t.Fatal(err)
		}
		p.File().Close()
	}
	close(stop)
	wg.Wait()
	if len(bad) > 0 {
		t.Errorf("a reader saw %d partial pidfiles, e.g. %q", len(bad), bad[0])
	}
}

// deadPid is the pid of a process that has exited and been reaped.
func deadPid(t *testing.T) int {
	t.Helper()
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	return cmd.Process.Pid
}

// A pidfile whose lock is still held, by a process other than the one it
// names (a child that inherited the descriptor), blocks a start only
// while the named process lives.
func TestHeldByAnotherProcess(t *testing.T) {
	tests := []struct {
		name    string
		pid     func(t *testing.T, holder int) int
		running bool
	}{
		{"names the holder, alive", func(t *testing.T, h int) int { return h }, true},
		{"names its own process, alive", func(t *testing.T, _ int) int { return os.Getpid() }, true},
		{"names a dead process", func(t *testing.T, _ int) int { return deadPid(t) }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "job.pid")
			p, err := Prepare(path)
			if err != nil {
				t.Fatal(err)
			}
			h := holder(t, p.File())
			pid := tt.pid(t, h.Process.Pid)
			if err := p.Commit(pid); err != nil {
				t.Fatal(err)
			}
			p.File().Close()
			q, err := Prepare(path)
			var re *RunningError
			if tt.running {
				if !errors.As(err, &re) || re.Pid != pid {
					t.Errorf("Prepare over a held pidfile naming live pid %d = %v; want already running (pid %d)", pid, err, pid)
				}
				return
			}
			if err != nil {
				t.Fatalf("Prepare over a held pidfile naming dead pid %d = %v; want it reclaimed", pid, err)
			}
			q.Abort()
		})
	}
}

func TestAliveSeesZombies(t *testing.T) {
	cmd := exec.Command("true")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pid := cmd.Process.Pid
	if !Alive(os.Getpid()) {
		t.Errorf("Alive(self) = false; want true")
	}
	// Not yet reaped: a zombie once it has exited.
	deadline := time.Now().Add(5 * time.Second)
	for Alive(pid) && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if Alive(pid) {
		t.Errorf("Alive(%d) = true for a process that exited (a zombie); want false", pid)
	}
	cmd.Wait()
	if Alive(pid) {
		t.Errorf("Alive(%d) = true after it was reaped; want false", pid)
	}
}

// RemoveIfSame removes the pidfile it holds, and never a file that
// replaced it.
func TestRemoveIfSame(t *testing.T) {
	for _, replaced := range []bool{false, true} {
		path := filepath.Join(t.TempDir(), "job.pid")
		remove := committed(t, path)
		if replaced {
			// Another launcher found it stale and put its own in place.
			if err := os.Remove(path); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte("1\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if err := remove(); err != nil {
			t.Errorf("RemoveIfSame (replaced %v) = %v", replaced, err)
		}
		_, err := os.Stat(path)
		if gone := errors.Is(err, os.ErrNotExist); gone == replaced {
			t.Errorf("after RemoveIfSame (replaced %v): the pidfile exists: %v; want it removed only if it was ours", replaced, !gone)
		}
	}
}

// holdDir locks dir from another open file description, as another
// process would, until the returned function is called.
func holdDir(t *testing.T, dir string) (release func()) {
	t.Helper()
	f, err := os.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := flock(f, unix.LOCK_EX|unix.LOCK_NB); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	release = func() { once.Do(func() { f.Close() }) }
	t.Cleanup(release)
	return release
}

// A directory lock that someone else keeps is waited for only lockWait:
// Prepare then fails, naming the holder, and RemoveIfSame leaves the
// pidfile (stale once its holder exits). A lock let go in time is taken.
//
// No timing is asserted but the lower bound, which the loop guarantees: a
// lock let go in time gets a lockWait far beyond the 50 ms it is held, and
// only a wait of 30 s counts as a hang.
func TestDirectoryLockedByOthers(t *testing.T) {
	defer func(d time.Duration) { lockWait = d }(lockWait)
	tests := []struct {
		name    string
		remove  bool          // RemoveIfSame rather than Prepare
		release time.Duration // when the holder lets go; 0: never
	}{
		{"Prepare, held", false, 0},
		{"Prepare, let go in time", false, 50 * time.Millisecond},
		{"RemoveIfSame, held", true, 0},
		{"RemoveIfSame, let go in time", true, 50 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lockWait = 200 * time.Millisecond
			if tt.release > 0 {
				lockWait = time.Minute
			}
			dir := t.TempDir()
			path := filepath.Join(dir, "job.pid")
			var try func() error
			if tt.remove {
				try = committed(t, path)
			} else {
				try = func() error {
					p, err := Prepare(path)
					if err == nil {
						p.Abort()
					}
					return err
				}
			}
			release := holdDir(t, dir)
			if tt.release > 0 {
				time.AfterFunc(tt.release, release)
			}
			start := time.Now()
			done := make(chan error, 1)
			go func() { done <- try() }()
			var err error
			select {
			case err = <-done:
			case <-time.After(30 * time.Second):
				release() // or it waits for ever
				err = <-done
				t.Errorf("still waiting after %v; want an answer once the lock is let go, or after lockWait (%v)", time.Since(start), lockWait)
			}
			took := time.Since(start)
			_, serr := os.Stat(path)
			if tt.release > 0 {
				if err != nil || tt.remove && serr == nil {
					t.Errorf("lock let go after %v: %v, pidfile stat %v; want success", tt.release, err, serr)
				}
				return
			}
			want := fmt.Sprintf("lock directory %s: held by another process for 200ms (pid %d)", dir, os.Getpid())
			if err == nil || err.Error() != want || took < lockWait {
				t.Errorf("after %v: %v; want %q after lockWait (%v)", took, err, want, lockWait)
			}
			if tt.remove && serr != nil {
				t.Errorf("RemoveIfSame without the directory lock: pidfile stat %v; want it left in place", serr)
			}
		})
	}
}

// committed writes the pidfile path for a process that has exited, and
// returns the RemoveIfSame its holder runs.
func committed(t *testing.T, path string) func() error {
	t.Helper()
	p, err := Prepare(path)
	if err != nil {
		t.Fatal(err)
	}
	d, err := p.Dir()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close(); p.File().Close() })
	if err := p.Commit(deadPid(t)); err != nil {
		t.Fatal(err)
	}
	return func() error { return RemoveIfSame(d, p.Name(), p.File()) }
}

// A stale pidfile is replaced, which deletes it: only if it is ours, and
// a pidfile. One that another user owns, or one that holds anything but a
// pid (a file named by mistake), is refused and left as it is, even by
// root.
func TestOtherUsersFile(t *testing.T) {
	testbin.NeedRoot(t, "to give a file to another user")
	tests := []struct {
		name, data string
		uid        int
		err        string
		locked     bool // someone holds a lock on it, as any reader may
	}{
		{"ours", "999999\n", os.Geteuid(), "", false},
		{"another user's", "999999\n", 4242, "belongs to uid 4242; not replacing it", false},
		{"ours, not a pidfile", "precious\n", os.Geteuid(), "does not hold a process ID; not replacing it", false},
		{"ours, empty", "", os.Geteuid(), "does not hold a process ID; not replacing it", false},
		{"ours, a pid and more", "999999\nport=80\n", os.Geteuid(), "does not hold a process ID; not replacing it", false},
		{"ours, a signed pid", "+999999\n", os.Geteuid(), "does not hold a process ID; not replacing it", false},
		{"ours, a signed pid, locked", "+999999\n", os.Geteuid(), "does not hold a process ID; not replacing it", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "job.pid")
			if err := os.WriteFile(path, []byte(tt.data), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Chown(path, tt.uid, -1); err != nil {
				t.Fatal(err)
			}
			if tt.locked {
				f, err := os.Open(path)
				if err != nil {
					t.Fatal(err)
				}
				defer f.Close()
				if err := unix.Flock(int(f.Fd()), unix.LOCK_SH); err != nil {
					t.Fatal(err)
				}
			}
			p, err := Prepare(path)
			if err == nil {
				err = p.Commit(deadPid(t))
				p.File().Close()
			}
			if tt.err == "" && err != nil || tt.err != "" && (err == nil || err.Error() != tt.err) {
				t.Fatalf("Prepare over a stale pidfile of uid %d = %v; want %q", tt.uid, err, tt.err)
			}
			b, _ := os.ReadFile(path)
			if kept := string(b) == tt.data; kept != (tt.err != "") {
				t.Errorf("pidfile of uid %d holds %q after Prepare = %v; want it kept only if refused", tt.uid, b, err)
			}
		})
	}
}

// TestCommitReplacesOnlyWhatItSaw: the directory's lock binds launchers,
// not another user, who may put a file at the pidfile's name between
// Prepare's look and Commit's rename. Commit then fails and leaves that
// file as it is; it replaces nothing, or the stale pidfile it saw.
func TestCommitReplacesOnlyWhatItSaw(t *testing.T) {
	tests := []struct {
		name    string
		stale   bool // a stale pidfile of ours at Prepare
		planted bool // something else put there before Commit
	}{
		{"nothing there", false, false},
		{"stale pidfile", true, false},
		{"appeared meanwhile", false, true},
		{"stale one replaced meanwhile", true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "job.pid")
			if tt.stale {
				if err := os.WriteFile(path, []byte("1\n"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			p, err := Prepare(path)
			if err != nil {
				t.Fatal(err)
			}
			defer p.File().Close()
			if tt.planted {
				os.Remove(path)
				if err := os.WriteFile(path, []byte("theirs\n"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			err = p.Commit(4242)
			b, _ := os.ReadFile(path)
			switch {
			case tt.planted && (!errors.Is(err, errAppeared) || string(b) != "theirs\n"):
				t.Errorf("Commit = %v, the file holds %q; want errAppeared and theirs untouched", err, b)
			case !tt.planted && (err != nil || string(b) != "4242\n"):
				t.Errorf("Commit = %v, the file holds %q; want our pid", err, b)
			}
			if left, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".job.pid.*")); len(left) != 0 {
				t.Errorf("temporary files left: %q", left)
			}
		})
	}
}

// TestPrepareErrors: a pidfile that cannot be made says why in words of
// its own, naming no temporary file.
func TestPrepareErrors(t *testing.T) {
	_, err := Prepare(filepath.Join(t.TempDir(), "missing", "job.pid"))
	if err == nil || err.Error() != "cannot open its directory: No such file or directory" {
		t.Errorf("Prepare in a missing directory = %v", err)
	}
	// A FIFO where the directory should be: at once, not a wait for a
	// writer that never comes.
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := unix.Mkfifo(fifo, 0o666); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { _, err := Prepare(filepath.Join(fifo, "job.pid")); done <- err }()
	select {
	case err := <-done:
		if err == nil || err.Error() != "cannot open its directory: Not a directory" {
			t.Errorf("Prepare under a FIFO = %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Prepare under a FIFO has waited 10 s")
	}
}

// TestDirIsTheLockedOne: Dir reopens the directory Prepare locked, not
// whatever has its name by then: the holder removes the pidfile there.
func TestDirIsTheLockedOne(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	p, err := Prepare(filepath.Join(dir, "job.pid"))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Abort()
	if err := os.Rename(dir, dir+".moved"); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	d, err := p.Dir()
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var got, want unix.Stat_t
	if unix.Fstat(int(d.Fd()), &got) != nil || unix.Stat(dir+".moved", &want) != nil || got.Ino != want.Ino {
		t.Errorf("Dir is inode %d; want %d, the directory Prepare locked", got.Ino, want.Ino)
	}
}
