//go:build linux

package logrot

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/nohupx/nohupx/internal/procfs"
)

// TestNoLoss streams the pattern through a relay and checks it byte for
// byte across the backups and the live file.
func TestNoLoss(t *testing.T) {
	scale := int64(1)
	if raceEnabled {
		scale = 16
	}
	tests := []struct {
		name    string
		total   int64
		chunk   int
		maxSize int64
		signals bool
	}{
		// At about 1 GB/s a 1 MiB file fills in about a millisecond, so
		// rotations come faster than lumberjack's backup names can tell
		// apart.
		{name: "1GiB at MaxSize 1M", total: 1 << 30 / scale, chunk: 1 << 20, maxSize: 1 << 20},
		{name: "writes larger than MaxSize", total: 256 << 20 / scale, chunk: 3<<20 + 17, maxSize: 1 << 20},
		{name: "small writes", total: 16 << 20 / scale, chunk: 100, maxSize: 1 << 20},
		{name: "job and relay signalled", total: 512 << 20 / scale, chunk: 64<<10 + 3, maxSize: 8 << 20, signals: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "nohup.out")
			if err := os.WriteFile(path, nil, 0o600); err != nil {
				t.Fatal(err)
			}
			// Keep 0 keeps every backup, so the whole stream can be checked.
			w := startWriter(t, path, Policy{MaxSize: tt.maxSize}, tt.chunk)

			var usr1 atomic.Int64
			stop := make(chan struct{})
			var wg sync.WaitGroup
			if tt.signals {
				wg.Add(1)
				go func() {
					defer wg.Done()
					pgid := w.cmd.Process.Pid
					for {
						for _, sig := range jobSignals {
							select {
							case <-stop:
								return
							default:
							}
							if err := syscall.Kill(-pgid, sig); err != nil {
								t.Errorf("kill(-%d, %v): %v", pgid, sig, err)
								return
							}
							if err := syscall.Kill(w.relay, sig); err != nil {
								t.Errorf("kill(%d, %v): %v", w.relay, sig, err)
								return
							}
							if sig == syscall.SIGUSR1 {
								usr1.Add(1)
							}
							time.Sleep(time.Millisecond)
						}
					}
				}()
			}
			took := w.write(tt.total, 120*time.Second)
			close(stop)
			wg.Wait()
			w.finish()
			t.Logf("%d MiB in writes of %d bytes: %v, %.0f MiB/s", tt.total>>20, tt.chunk, took.Round(time.Millisecond),
				float64(tt.total)/(1<<20)/took.Seconds())

			verifyStream(t, path, tt.total, tt.maxSize)
			files := logFiles(t, path)
			if bySize := tt.total / tt.maxSize; int64(len(files)) < bySize {
				t.Errorf("%d files; want at least %d", len(files), bySize)
			}
			if tt.signals {
				// Each USR1 that found a non-empty file rotated it, so
				// there are more files than the size alone makes.
				if n, bySize := len(files), tt.total/tt.maxSize+1; int64(n) <= bySize || usr1.Load() == 0 {
					t.Errorf("%d files after %d SIGUSR1; want more than the %d rotation by size makes", n, usr1.Load(), bySize)
				}
				t.Logf("%d files after %d rounds of signals", len(files), usr1.Load())
			}
		})
	}
}

// TestDetached checks where the relay stands after Start returns, and that
// it exits after EOF having written everything.
func TestDetached(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "nohup.out")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	w, err := Start(path, DefaultPolicy)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	// The write end is blocking: a command must not get EAGAIN.
	if fl, err := fcntlGetfl(w); err != nil || fl&syscall.O_NONBLOCK != 0 {
		t.Errorf("write end flags = %#o, %v; want blocking", fl, err)
	}

	pids, err := FindRelays(path)
	if err != nil || len(pids) != 1 {
		t.Fatalf("FindRelays(%s) = %v, %v; want one pid", path, pids, err)
	}
	relay := pids[0]
	t.Cleanup(func() {
		if alive(relay) {
			syscall.Kill(relay, syscall.SIGKILL)
		}
	})

	// The first stage was reaped: this process has no child left.
	if _, err := syscall.Wait4(-1, nil, syscall.WNOHANG, nil); err != syscall.ECHILD {
		t.Errorf("wait4(-1) = %v; want ECHILD: Start left a child behind", err)
	}
	st, err := procfs.ReadStat(relay)
	if err != nil {
		t.Fatal(err)
	}
	if st.PPID == os.Getpid() {
		t.Errorf("relay's parent = %d, the caller", st.PPID)
	}
	if st.PGRP == syscall.Getpgrp() {
		t.Errorf("relay's process group = %d, the caller's", st.PGRP)
	}
	if sid, _ := unix.Getsid(0); st.Session == sid {
		t.Errorf("relay's session = %d, the caller's", st.Session)
	}
	if st.Session == relay {
		t.Errorf("relay is a session leader: it could acquire a terminal")
	}
	if st.TTYNr != 0 {
		t.Errorf("relay's tty_nr = %d; want 0 (no controlling terminal)", st.TTYNr)
	}
	if cwd, err := os.Readlink(procPath(relay, "cwd")); err != nil || cwd != "/" {
		t.Errorf("relay's cwd = %q, %v; want /", cwd, err)
	}
	if comm, _ := os.ReadFile(procPath(relay, "comm")); string(comm) != commName+"\n" {
		t.Errorf("relay's comm = %q; want %q", comm, commName)
	}
	// The status pipe closes just after the "ok" line was read.
	var pipe syscall.Stat_t
	if err := syscall.Fstat(int(w.Fd()), &pipe); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 5*time.Second, "the relay to close its status pipe", func() bool { return countPipes(relay) == 1 })
	checkRelayFds(t, relay, path, pipe.Ino)

	msg := []byte("hello\n")
	if _, err := w.Write(msg); err != nil {
		t.Fatal(err)
	}
	if !alive(relay) {
		t.Fatal("relay exited while the pipe is open")
	}
	w.Close()
	waitGone(t, relay, 10*time.Second)
	if got, err := os.ReadFile(path); err != nil || string(got) != string(msg) {
		t.Errorf("log = %q, %v; want %q", got, err, msg)
	}
	if pids, _ := FindRelays(path); len(pids) != 0 {
		t.Errorf("FindRelays after exit = %v; want none", pids)
	}
}

func procPath(pid int, name string) string {
	return filepath.Join("/proc", itoa(pid), name)
}

func countPipes(pid int) int {
	dir := procPath(pid, "fd")
	ents, _ := os.ReadDir(dir)
	n := 0
	for _, e := range ents {
		if target, _ := os.Readlink(filepath.Join(dir, e.Name())); strings.HasPrefix(target, "pipe:") {
			n++
		}
	}
	return n
}

// checkRelayFds checks that the relay holds /dev/null as 0-2, the read
// end of the data pipe (inode pipeIno), the log file, and nothing else of
// ours.
func checkRelayFds(t *testing.T, pid int, path string, pipeIno uint64) {
	t.Helper()
	dir := procPath(pid, "fd")
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	pipes := 0
	for _, e := range ents {
		fd := e.Name()
		target, err := os.Readlink(filepath.Join(dir, fd))
		if err != nil {
			continue
		}
		switch {
		case fd == "0" || fd == "1" || fd == "2":
			if target != os.DevNull {
				t.Errorf("relay fd %s -> %s; want /dev/null", fd, target)
			}
		case strings.HasPrefix(target, "pipe:"):
			pipes++
			if target != fmt.Sprintf("pipe:[%d]", pipeIno) {
				t.Errorf("relay fd %s -> %s; want the data pipe, pipe:[%d]", fd, target, pipeIno)
			}
			info, _ := os.ReadFile(procPath(pid, "fdinfo/"+fd))
			if flags := fdinfoFlags(string(info)); flags&syscall.O_ACCMODE != syscall.O_RDONLY {
				t.Errorf("relay fd %s is a pipe opened with flags %#o: it holds a write end and would never see EOF", fd, flags)
			}
		case target == path:
		case strings.HasPrefix(target, "anon_inode:"), strings.HasPrefix(target, "/sys/fs/cgroup/"):
			// the Go runtime's own: netpoller, cgroup CPU limit
		default:
			t.Errorf("relay fd %s -> %s: inherited something it should not hold", fd, target)
		}
	}
	if pipes != 1 {
		t.Errorf("relay holds %d pipes; want 1 (the read end)", pipes)
	}
}

// TestStartFails checks that a relay that cannot open its file makes Start
// fail with the relay's reason, and leaves no process behind.
func TestStartFails(t *testing.T) {
	notDir := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(notDir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path, want string
	}{
		{"parent is a file", filepath.Join(notDir, "nohup.out"), "not a directory"},
		{"directory cannot be created", "/proc/nohupx-test/nohup.out", "recreate the log directory"},
		{"path is a directory", t.TempDir(), "not a regular file"},
		{"path is a device", os.DevNull, "not a regular file"},
	}
	if os.Geteuid() == 0 {
		ro := mountTmpfs(t, 1<<20, true)
		tests = append(tests, struct{ name, path, want string }{"read-only filesystem", filepath.Join(ro, "nohup.out"), "read-only file system"})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, err := Start(tt.path, DefaultPolicy)
			if err == nil {
				w.Close()
				t.Fatalf("Start(%s) succeeded; want an error", tt.path)
			}
			if !contains(err.Error(), tt.want) {
				t.Errorf("Start(%s) = %v; want an error saying %q", tt.path, err, tt.want)
			}
			// The relay reports, then exits.
			waitFor(t, 10*time.Second, "no relay left", func() bool {
				pids, _ := FindRelays(tt.path)
				return len(pids) == 0
			})
			if _, err := syscall.Wait4(-1, nil, syscall.WNOHANG, nil); err != syscall.ECHILD {
				t.Errorf("wait4(-1) = %v; want ECHILD", err)
			}
		})
	}
}

// TestAppendKeepsMode checks that an existing file is appended to, not
// truncated, and that its mode survives rotation.
func TestAppendKeepsMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out.log")
	old := []byte("from an earlier run\n")
	if err := os.WriteFile(path, old, 0o640); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o640); err != nil { // past the umask
		t.Fatal(err)
	}
	pid, w, err := startRelay(path, Policy{MaxSize: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	data := pattern(0, 3<<20)
	if _, err := w.Write(data); err != nil {
		t.Fatal(err)
	}
	w.Close()
	waitGone(t, pid, 10*time.Second)
	got := readLog(t, path)
	if want := append(old, data...); string(got) != string(want) {
		t.Errorf("log holds %d bytes; want the old %d and the new %d", len(got), len(old), len(data))
	}
	for _, f := range logFiles(t, path) {
		if fi, err := os.Stat(f); err != nil || fi.Mode().Perm() != 0o640 {
			t.Errorf("%s: mode %v, %v; want 0640", f, fi.Mode(), err)
		}
	}
}

// TestSharedLog runs two jobs that append to one file, as two nohup jobs
// started in one directory do: each has its own relay, and both rotate
// the same file. Every line of both streams must appear once, each stream
// in order.
func TestSharedLog(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nohup.out")
	total := int64(64 << 20)
	if raceEnabled {
		total = 8 << 20
	}
	const baseB = 1 << 60
	// Writes of 4 KiB are atomic in a pipe, so every chunk a relay reads,
	// and so every append, is whole lines.
	a := startStream(t, path, Policy{MaxSize: 1 << 20}, 4096, 0)
	b := startStream(t, path, Policy{MaxSize: 1 << 20}, 4096, baseB)
	done := make(chan struct{})
	go func() {
		b.write(total, 60*time.Second)
		close(done)
	}()
	a.write(total, 60*time.Second)
	<-done
	a.finish()
	b.finish()

	log := readLog(t, path)
	if int64(len(log)) != 2*total {
		t.Fatalf("log holds %d bytes; want %d", len(log), 2*total)
	}
	next := map[uint64]uint64{0: 0, baseB: baseB}
	line := make([]byte, patternLine)
	for off := 0; off < len(log); off += patternLine {
		got := log[off : off+patternLine]
		n, err := strconv.ParseUint(string(got[:16]), 16, 64)
		if err != nil {
			t.Fatalf("offset %d: %q is not a line of either stream", off, got)
		}
		stream := uint64(0)
		if n >= baseB {
			stream = baseB
		}
		fillStream(line, int64(next[stream]-stream)*patternLine, stream)
		if !bytes.Equal(got, line) {
			t.Fatalf("offset %d: got %q; want %q, the next line of its stream", off, got, line)
		}
		next[stream]++
	}
	t.Logf("%d files", len(logFiles(t, path)))
}
