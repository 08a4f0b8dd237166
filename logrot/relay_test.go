//go:build linux

package logrot

import (
	"bytes"
	"errors"
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
		// rotations come faster than a millisecond clock can tell
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
				waitRelaysReady(t, path)
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
							for _, pid := range relayPids(w.path) {
								if err := syscall.Kill(pid, sig); err != nil && err != syscall.ESRCH {
									t.Errorf("kill(%d, %v): %v", pid, sig, err)
									return
								}
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

// TestDetached checks where the relay processes stand after Start
// returns, and that they exit after EOF having written everything.
func TestDetached(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "nohup.out")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	_, w, err := startRelay(path, DefaultPolicy)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	t.Cleanup(func() {
		for _, pid := range relayPids(path) {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	})
	// The write end is blocking: a command must not get EAGAIN.
	if fl, err := fcntlGetfl(w); err != nil || fl&syscall.O_NONBLOCK != 0 {
		t.Errorf("write end flags = %#o, %v; want blocking", fl, err)
	}
	writer := writerOf(t, path)
	if pids, err := FindRelays(path); err != nil || len(pids) != 1 || pids[0] != writer {
		t.Errorf("FindRelays(%s) = %v, %v; want the writer, [%d]", path, pids, err, writer)
	}
	// The first stage was reaped: this process has no child left.
	if _, err := syscall.Wait4(-1, nil, syscall.WNOHANG, nil); err != syscall.ECHILD {
		t.Errorf("wait4(-1) = %v; want ECHILD: Start left a child behind", err)
	}
	// Once the first output is in the file, the writer is all set up.
	msg := []byte("hello\n")
	if _, err := w.Write(msg); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "the output in the file", func() bool {
		got, _ := os.ReadFile(path)
		return string(got) == string(msg)
	})
	var pipe syscall.Stat_t
	if err := syscall.Fstat(int(w.Fd()), &pipe); err != nil {
		t.Fatal(err)
	}
	waitRelaysReady(t, path) // comm is set just after the signals
	rs := relaysOf(path)
	if len(rs) != 2 {
		t.Fatalf("relay processes of %s: %+v; want a holder and a writer", path, rs)
	}
	for _, r := range rs {
		checkDetached(t, r.Pid)
		checkRelayFds(t, r.Pid, path, pipe.Ino, !r.Holder)
	}
	w.Close()
	waitRelaysGone(t, path, 10*time.Second)
	if got, err := os.ReadFile(path); err != nil || string(got) != string(msg) {
		t.Errorf("log = %q, %v; want %q", got, err, msg)
	}
}

// checkDetached checks that relay process pid shares nothing with the
// caller that could end it or tie it to a terminal.
func checkDetached(t *testing.T, pid int) {
	t.Helper()
	st, err := procfs.ReadStat(pid)
	if err != nil {
		t.Fatal(err)
	}
	if st.PPID == os.Getpid() {
		t.Errorf("relay %d's parent is the caller", pid)
	}
	if st.PGRP == syscall.Getpgrp() {
		t.Errorf("relay %d's process group = %d, the caller's", pid, st.PGRP)
	}
	if sid, _ := unix.Getsid(0); st.Session == sid {
		t.Errorf("relay %d's session = %d, the caller's", pid, st.Session)
	}
	if st.Session == pid {
		t.Errorf("relay %d is a session leader: it could acquire a terminal", pid)
	}
	if st.TTYNr != 0 {
		t.Errorf("relay %d's tty_nr = %d; want 0 (no controlling terminal)", pid, st.TTYNr)
	}
	if cwd, err := os.Readlink(procPath(pid, "cwd")); err != nil || cwd != "/" {
		t.Errorf("relay %d's cwd = %q, %v; want /", pid, cwd, err)
	}
	if comm, _ := os.ReadFile(procPath(pid, "comm")); string(comm) != commName+"\n" {
		t.Errorf("relay %d's comm = %q; want %q", pid, comm, commName)
	}
}

func procPath(pid int, name string) string {
	return filepath.Join("/proc", itoa(pid), name)
}

// checkRelayFds checks that a relay process holds /dev/null as 0-2, the
// read end of the data pipe (inode pipeIno) and never its write end, its
// own pipes, the journal, the log directory and (the writer) the log
// file, and nothing else.
func checkRelayFds(t *testing.T, pid int, path string, pipeIno uint64, writer bool) {
	t.Helper()
	dir := procPath(pid, "fd")
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	data, file := 0, 0
	for _, e := range ents {
		fd := e.Name()
		target, err := os.Readlink(filepath.Join(dir, fd))
		if err != nil {
			continue
		}
		switch {
		case fd == "0" || fd == "1" || fd == "2":
			if target != os.DevNull {
				t.Errorf("relay %d fd %s -> %s; want /dev/null", pid, fd, target)
			}
		case target == os.DevNull: // standing for an absent partner
		case target == fmt.Sprintf("pipe:[%d]", pipeIno):
			data++
			info, _ := os.ReadFile(procPath(pid, "fdinfo/"+fd))
			if flags := fdinfoFlags(string(info)); flags&syscall.O_ACCMODE != syscall.O_RDONLY {
				t.Errorf("relay %d fd %s is the data pipe opened with flags %#o: it would never see EOF", pid, fd, flags)
			}
		case target == path:
			file++
		case strings.HasPrefix(target, "pipe:"), target == filepath.Dir(path),
			strings.HasPrefix(target, "/memfd:nohupx-relay"),
			strings.HasPrefix(target, "anon_inode:"), strings.HasPrefix(target, "/sys/fs/cgroup/"):
			// its own pipes, the directory, the journal, pidfds and the
			// Go runtime's own (netpoller, cgroup CPU limit)
		default:
			t.Errorf("relay %d fd %s -> %s: inherited something it should not hold", pid, fd, target)
		}
	}
	if data != 1 {
		t.Errorf("relay %d holds the data pipe %d times; want once (the read end)", pid, data)
	}
	if want := map[bool]int{true: 1, false: 0}[writer]; file != want {
		t.Errorf("relay %d holds the log %d times; want %d", pid, file, want)
	}
}

// TestStartFailureClosesEverything: when the relay's first stage fails,
// Start says so and leaves no descriptor open behind it, above all no
// copy of the pipe's write end, which would keep a relay that did start
// from ever seeing EOF.
func TestStartFailureClosesEverything(t *testing.T) {
	path := filepath.Join(t.TempDir(), failingFirstStage+".log")
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	before := openFds(t)
	w, err := Start(f, path, DefaultPolicy)
	if err == nil {
		w.Close()
		t.Fatal("Start succeeded; the test binary's first stage was to fail")
	}
	if !strings.Contains(err.Error(), "the first stage failed (status 3)") {
		t.Errorf("Start: %v; want the first stage's failure", err)
	}
	if after := openFds(t); len(after) != len(before) {
		t.Errorf("open descriptors before Start: %v; after it failed: %v", before, after)
	}
}

// openFds lists this process's open descriptors and what they are.
func openFds(t *testing.T) []string {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	var fds []string
	for _, e := range ents {
		target, _ := os.Readlink("/proc/self/fd/" + e.Name())
		fds = append(fds, e.Name()+"->"+target)
	}
	return fds
}

// TestNotRotatable plants what a user (or someone else) may leave where
// the log goes: Start must refuse to rotate it, say why, and start nothing.
func TestNotRotatable(t *testing.T) {
	tests := []struct {
		name string
		prep func(t *testing.T, dir string) string // returns the log path
		want string
	}{
		{"symbolic link", func(t *testing.T, dir string) string {
			target := filepath.Join(dir, "target")
			os.WriteFile(target, nil, 0o600)
			os.Symlink(target, filepath.Join(dir, "nohup.out"))
			return filepath.Join(dir, "nohup.out")
		}, "it is a symbolic link"},
		{"hard link", func(t *testing.T, dir string) string {
			os.WriteFile(filepath.Join(dir, "other"), nil, 0o600)
			os.Link(filepath.Join(dir, "other"), filepath.Join(dir, "nohup.out"))
			return filepath.Join(dir, "nohup.out")
		}, "it has 2 hard links"},
		{"world-writable directory", func(t *testing.T, dir string) string {
			os.Chmod(dir, 0o777)
			return filepath.Join(dir, "nohup.out")
		}, "writable by everyone and not sticky"},
	}
	if os.Geteuid() == 0 {
		type test = struct {
			name string
			prep func(t *testing.T, dir string) string
			want string
		}
		tests = append(tests, test{"another user's file", func(t *testing.T, dir string) string {
			p := filepath.Join(dir, "nohup.out")
			os.WriteFile(p, nil, 0o600)
			os.Chown(p, 65534, 65534)
			return p
		}, "belongs to uid 65534"}, test{"another user's directory", func(t *testing.T, dir string) string {
			os.Chmod(dir, 0o755|os.ModeSticky) // its owner may rename in it all the same
			os.Chown(dir, 65534, 65534)
			return filepath.Join(dir, "nohup.out")
		}, "its directory belongs to uid 65534"}, test{"group-writable directory", func(t *testing.T, dir string) string {
			os.Chmod(dir, 0o770)
			os.Chown(dir, 0, 65534)
			return filepath.Join(dir, "nohup.out")
		}, "writable by group 65534 and not sticky"})
	} else if os.Getenv("CI") == "true" {
		t.Error("CI runs as root: the cases of another user's file and directory did not run")
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := tt.prep(t, t.TempDir())
			f, err := openAppend(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			w, err := Start(f, path, DefaultPolicy)
			if err == nil {
				w.Close()
				t.Fatalf("Start(%s) succeeded; want ErrNotRotatable", path)
			}
			if !errors.Is(err, ErrNotRotatable) || !contains(err.Error(), tt.want) {
				t.Errorf("Start(%s) = %v; want ErrNotRotatable saying %q", path, err, tt.want)
			}
			if got, note := Writer(f, path, DefaultPolicy, true); got != f || !contains(note, tt.want) {
				t.Errorf("Writer = %v, %q; want the file itself and a note saying %q", got, note, tt.want)
			}
			if pids := relayPids(path); len(pids) != 0 {
				t.Errorf("relay processes %v; want none", pids)
			}
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
	_, w, err := startRelay(path, Policy{MaxSize: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	data := pattern(0, 3<<20)
	if _, err := w.Write(data); err != nil {
		t.Fatal(err)
	}
	w.Close()
	waitRelaysGone(t, path, 10*time.Second)
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
	// Both jobs end before their relays can: they share the file's path.
	a.in.Close()
	b.in.Close()
	for _, w := range []*writer{a, b} {
		if err := w.cmd.Wait(); err != nil {
			t.Fatalf("writer: %v", err)
		}
	}
	waitRelaysGone(t, path, 60*time.Second)

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
