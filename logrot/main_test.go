//go:build linux

package logrot

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/nohupx/nohupx/internal/procfs"
	"github.com/nohupx/nohupx/internal/reexec"
	"github.com/nohupx/nohupx/internal/sigs"
	"github.com/nohupx/nohupx/internal/testbin"
)

// Start re-executes /proc/self/exe, which in a test is this test binary:
// as moby's reexec does, TestMain runs the stage named by argv[0] instead
// of the tests. The writer stage stands in for the command nohupx execs.
const writerStage = "logrot-test:writer"

// failingFirstStage, in a log's name, makes the test binary's first
// stage of the relay fail (TestStartFailureClosesEverything).
const failingFirstStage = "first-stage-fails"

func TestMain(m *testing.M) {
	if os.Args[0] == SpawnStage && len(os.Args) > 1 && strings.Contains(os.Args[1], failingFirstStage) {
		os.Exit(3)
	}
	if stage, ok := reexec.Lookup(os.Args[0]); ok {
		os.Exit(stage())
	}
	if os.Args[0] == writerStage {
		os.Exit(writerMain())
	}
	testbin.DefaultSignals()
	os.Exit(m.Run())
}

// jobSignals are what a job's process group may be sent while it runs.
var jobSignals = []syscall.Signal{
	syscall.SIGHUP, syscall.SIGINT, syscall.SIGTERM, syscall.SIGQUIT,
	syscall.SIGTSTP, syscall.SIGTTIN, syscall.SIGTTOU, syscall.SIGUSR1,
}

// writerMain is a command that ignores the job signals (as a command that
// must survive them would), starts a relay for argv[1] with the policy in
// argv[2:4] and then obeys its stdin: "write N" writes the next N bytes of
// the stream whose lines are numbered from argv[5] (fillStream), in writes
// of argv[4] bytes, and answers "wrote N SECONDS"; EOF closes the pipe and
// exits. Its first line is "started RELAYPID" or "error REASON".
func writerMain() int {
	for _, s := range jobSignals {
		signal.Ignore(s)
	}
	signal.Ignore(syscall.SIGPIPE)
	if len(os.Args) != 6 {
		fmt.Println("error usage: writer PATH MAXSIZE KEEP CHUNK BASE")
		return 2
	}
	maxSize, _ := strconv.ParseInt(os.Args[2], 10, 64)
	keep, _ := strconv.Atoi(os.Args[3])
	chunk, _ := strconv.Atoi(os.Args[4])
	base, _ := strconv.ParseUint(os.Args[5], 10, 64)
	pid, w, err := startRelay(os.Args[1], Policy{MaxSize: maxSize, Keep: keep})
	if err != nil {
		fmt.Println("error", err)
		return 1
	}
	fmt.Println("started", pid)
	buf := make([]byte, chunk)
	var off int64
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		n, err := strconv.ParseInt(strings.TrimPrefix(in.Text(), "write "), 10, 64)
		if err != nil {
			fmt.Println("error", err)
			return 2
		}
		start := time.Now()
		for end := off + n; off < end; {
			b := buf[:min(int64(len(buf)), end-off)]
			fillStream(b, off, base)
			if _, err := w.Write(b); err != nil {
				fmt.Println("error", err)
				return 1
			}
			off += int64(len(b))
		}
		fmt.Println("wrote", n, time.Since(start).Seconds())
	}
	if err := w.Close(); err != nil {
		fmt.Println("error", err)
		return 1
	}
	return 0
}

// writer drives a writerMain process from a test.
type writer struct {
	t     *testing.T
	cmd   *exec.Cmd
	in    io.WriteCloser
	lines chan string
	path  string
	relay int // the holder's pid
}

// startWriter starts a writer in its own process group and waits until its
// relay is up. Cleanup kills both if the test left them running.
func startWriter(t *testing.T, path string, p Policy, chunk int) *writer {
	t.Helper()
	return startStream(t, path, p, chunk, 0)
}

// startStream is startWriter for the stream numbered from base.
func startStream(t *testing.T, path string, p Policy, chunk int, base uint64) *writer {
	t.Helper()
	cmd := exec.Command("/proc/self/exe")
	cmd.Args = []string{writerStage, path, strconv.FormatInt(p.MaxSize, 10), strconv.Itoa(p.Keep), strconv.Itoa(chunk),
		strconv.FormatUint(base, 10)}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w := &writer{t: t, cmd: cmd, in: in, lines: make(chan string, 16), path: path}
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			w.lines <- sc.Text()
		}
		close(w.lines)
	}()
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		cmd.Wait()
		for _, pid := range relayPids(path) {
			t.Errorf("relay process %d still running at the end of the test; killing it", pid)
			syscall.Kill(pid, syscall.SIGKILL)
		}
	})
	line := w.next(30 * time.Second)
	rest, ok := strings.CutPrefix(line, "started ")
	if !ok {
		t.Fatalf("writer: %s", line)
	}
	w.relay, _ = strconv.Atoi(rest)
	return w
}

func (w *writer) next(timeout time.Duration) string {
	w.t.Helper()
	select {
	case line, ok := <-w.lines:
		if !ok {
			return "error writer exited"
		}
		return line
	case <-time.After(timeout):
		w.t.Fatalf("writer: no answer in %v (blocked?)", timeout)
		return ""
	}
}

// write has the writer write the next n bytes and returns how long that
// took it; failing the test if it took longer than timeout.
func (w *writer) write(n int64, timeout time.Duration) time.Duration {
	w.t.Helper()
	fmt.Fprintf(w.in, "write %d\n", n)
	line := w.next(timeout)
	f := strings.Fields(line)
	if len(f) != 3 || f[0] != "wrote" {
		w.t.Fatalf("writer: %s", line)
	}
	s, _ := strconv.ParseFloat(f[2], 64)
	return time.Duration(s * float64(time.Second))
}

// finish closes the writer's pipe and waits for the writer and then its
// relay processes to exit.
func (w *writer) finish() {
	w.t.Helper()
	w.in.Close()
	if err := w.cmd.Wait(); err != nil {
		w.t.Fatalf("writer: %v", err)
	}
	waitRelaysGone(w.t, w.path, 60*time.Second)
}

// startRelay opens path as nohupx does and starts a relay for it; it
// returns the holder's pid and the write end.
func startRelay(path string, p Policy) (int, *os.File, error) {
	f, err := openAppend(path)
	if err != nil {
		return 0, nil, err
	}
	defer f.Close()
	w, err := Start(f, path, p)
	if err != nil {
		return 0, nil, err
	}
	for _, r := range relaysOf(path) {
		if r.Holder {
			return r.Pid, w, nil
		}
	}
	w.Close()
	return 0, nil, fmt.Errorf("no holder for %s after Start", path)
}

// relaysOf lists the relay processes, holder and writer, of path.
func relaysOf(path string) []Relay {
	want, _ := canonical(path)
	all, _ := ListRelays()
	var rs []Relay
	for _, r := range all {
		if r.Path == want && alive(r.Pid) {
			rs = append(rs, r)
		}
	}
	return rs
}

func relayPids(path string) []int {
	var pids []int
	for _, r := range relaysOf(path) {
		pids = append(pids, r.Pid)
	}
	return pids
}

// writerOf waits for the writer of path and returns its pid.
func writerOf(t *testing.T, path string) int {
	t.Helper()
	pid := 0
	waitFor(t, 10*time.Second, "a writer for "+path, func() bool {
		for _, r := range relaysOf(path) {
			if !r.Holder {
				pid = r.Pid
			}
		}
		return pid != 0
	})
	return pid
}

// waitRelaysReady waits until path has a holder and a writer and both have
// set their signals up (SIGTERM ignored). In its first milliseconds a
// relay process has the default dispositions, as any new process does; a
// signal then kills it like SIGKILL, which the other one repairs, but the
// same signal sent to both in that moment kills both.
func waitRelaysReady(t *testing.T, path string) {
	t.Helper()
	waitFor(t, 10*time.Second, "the relay of "+path+" to be ready", func() bool {
		rs := relaysOf(path)
		if len(rs) != 2 {
			return false
		}
		for _, r := range rs {
			st, err := procfs.ReadStatus(r.Pid)
			if err != nil || st.SigIgn&sigs.Mask(syscall.SIGTERM) == 0 {
				return false
			}
		}
		return true
	})
}

// waitRelaysGone waits until no relay process serves path.
func waitRelaysGone(t *testing.T, path string, timeout time.Duration) {
	t.Helper()
	waitFor(t, timeout, "the relay of "+path+" to exit", func() bool { return len(relayPids(path)) == 0 })
}

// alive reports whether pid runs (a zombie has exited).
func alive(pid int) bool {
	st, err := procfs.ReadStat(pid)
	return err == nil && st.State != 'Z'
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for delay := time.Millisecond; !cond(); delay = min(2*delay, 50*time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(delay)
	}
}

// mountTmpfs mounts a tmpfs of size bytes on a new directory and unmounts
// it in cleanup.
func mountTmpfs(t *testing.T, size int64, ro bool) string {
	t.Helper()
	testbin.NeedRoot(t, "to mount a small tmpfs")
	dir := t.TempDir()
	var flags uintptr
	if ro {
		flags = unix.MS_RDONLY
	}
	if err := unix.Mount("tmpfs", dir, "tmpfs", flags, fmt.Sprintf("size=%d,mode=0755", size)); err != nil {
		testbin.Missing(t, "cannot mount a tmpfs on %s: %v", dir, err)
	}
	t.Cleanup(func() {
		if err := unix.Unmount(dir, unix.MNT_DETACH); err != nil {
			t.Errorf("unmount %s: %v", dir, err)
		}
	})
	return dir
}
