package reattach_test

import (
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nohupx/nohupx/internal/testbin"
)

// watching is a running reattach-sock --watch.
type watching struct {
	cmd *exec.Cmd
	log *syncBuffer
}

func (sb *sandbox) watch(args ...string) *watching {
	sb.t.Helper()
	c := sb.cmd(testbin.Path("reattach-sock"), append([]string{"--watch", "--under", sb.dir}, args...)...)
	c.Args[0] = "reattach-sock"
	w := &watching{cmd: c, log: &syncBuffer{}}
	c.Stdout, c.Stderr = w.log, w.log
	c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := c.Start(); err != nil {
		sb.t.Fatal(err)
	}
	sb.t.Cleanup(func() {
		syscall.Kill(-c.Process.Pid, syscall.SIGKILL)
		c.Wait()
		if sb.t.Failed() {
			sb.t.Logf("watch log:\n%s", w.log)
		}
	})
	w.expect(sb.t, "watching ")
	return w
}

func (w *watching) expect(t *testing.T, s string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(w.log.String(), s) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for the watch log to say %q; it says:\n%s", s, w.log)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// stop ends the watch the way systemd does and checks that it exits 0,
// and that its log is in time order.
func (w *watching) stop(t *testing.T) {
	t.Helper()
	w.cmd.Process.Signal(syscall.SIGTERM)
	if err := w.cmd.Wait(); err != nil {
		t.Errorf("reattach-sock --watch after SIGTERM: %v; log:\n%s", err, w.log)
	}
	inTimeOrder(t, w.log.String())
}

// inTimeOrder checks that each line's timestamp is no earlier than the
// one before: a reader of the log takes its order for the order of events.
func inTimeOrder(t *testing.T, log string) {
	t.Helper()
	var prev time.Time
	for _, line := range strings.Split(strings.TrimSuffix(log, "\n"), "\n") {
		stamp, _, _ := strings.Cut(line, " ")
		at, err := time.Parse("2006-01-02T15:04:05.000Z07:00", stamp)
		if err != nil {
			t.Errorf("watch log line without a timestamp: %q", line)
			continue
		}
		if at.Before(prev) {
			t.Errorf("watch log line stamped %s comes after one stamped %s: %q", stamp, prev.Format(time.RFC3339Nano), line)
		}
		prev = at
	}
}

func tmuxAnswers(sb *sandbox, label string) func() bool {
	return func() bool { ok, _ := sb.works("tmux", "-L", label, "ls"); return ok }
}

func TestWatchRepairsDeletions(t *testing.T) {
	t.Parallel()
	testbin.Need(t, "tmux")
	sb := newSandbox(t)
	pid := sb.tmux("x", "work")
	w := sb.watch()
	w.expect(t, "tracking tmux server "+strconv.Itoa(pid))

	// The socket alone: repaired before tmux ls is even run.
	os.Remove(sb.tmuxSock("x"))
	w.expect(t, "socket deleted; sent SIGUSR1; reachable again")
	waitFor(t, "tmux ls to work", 5*time.Second, tmuxAnswers(sb, "x"))
	w.expect(t, "deleted "+sb.tmuxSock("x")+" at ")
	w.expect(t, " (socket of tmux server "+strconv.Itoa(pid)+")")

	// The whole directory, as a cleaner would: the lock it holds on the
	// directory does not stop rm, and the repair may race rm -rf.
	if out, err := exec.Command("rm", "-rf", sb.tmuxDir()).CombinedOutput(); err != nil && !strings.Contains(string(out), "not empty") {
		t.Fatalf("rm -rf: %v %s", err, out)
	}
	waitFor(t, "tmux ls to work after rm -rf", 5*time.Second, tmuxAnswers(sb, "x"))

	// A server started later is picked up, and repaired too.
	newer := sb.tmux("y", "later")
	w.expect(t, "tracking tmux server "+strconv.Itoa(newer))
	os.Remove(sb.tmuxSock("y"))
	waitFor(t, "tmux -L y ls to work", 5*time.Second, tmuxAnswers(sb, "y"))

	// A killed tmux server leaves its socket file: no event says it is
	// gone, but the next discovery drops it.
	killServer(pid)
	waitFor(t, "the first server to die", 5*time.Second, func() bool { return !alive(pid) })
	sb.tmux("z", "third")
	w.expect(t, "tmux server "+strconv.Itoa(pid)+" ("+sb.tmuxSock("x")+") exited; no longer tracked")
	w.stop(t)
}

func TestWatchRepairsScreen(t *testing.T) {
	t.Parallel()
	testbin.Need(t, "screen")
	sb := newSandbox(t)
	pid := sb.screen("work")
	w := sb.watch("screen")
	w.expect(t, "tracking screen server "+strconv.Itoa(pid))
	os.RemoveAll(sb.screenDir())
	w.expect(t, "sent SIGCHLD; reachable again")
	if !alive(pid) {
		t.Fatalf("the screen session died; log:\n%s", w.log)
	}
	screenListed(t, sb, pid, "work")
	w.stop(t)
}

// rm -rf of a watched screen directory works every time (the repair
// waits for the cleaner's rmdir instead of making it fail with "Directory
// not empty"), the session survives each one, and the log stays in order.
func TestWatchLetsRmRfFinish(t *testing.T) {
	t.Parallel()
	testbin.Need(t, "screen")
	sb := newSandbox(t)
	pid := sb.screen("work")
	w := sb.watch("screen")
	w.expect(t, "tracking screen server "+strconv.Itoa(pid))
	for i := 1; i <= 10; i++ {
		if out, err := exec.Command("rm", "-rf", sb.screenDir()).CombinedOutput(); err != nil {
			t.Errorf("rm -rf %s, round %d: %v: %s", sb.screenDir(), i, err, out)
		}
		// Each round ends with the repair's report: until then the
		// directory may hold the repair's pin rather than the socket, and
		// an rm -rf then would race the repair itself, not the cleaner.
		waitFor(t, "the repair to report", 5*time.Second, func() bool {
			return strings.Count(w.log.String(), "reachable again") >= i
		})
		if !alive(pid) {
			t.Fatalf("the screen session died in round %d; log:\n%s", i, w.log)
		}
	}
	screenListed(t, sb, pid, "work")
	w.stop(t)
}

// The watch holds flock(LOCK_SH) on the socket directory, which makes
// systemd-tmpfiles skip it; --no-protect does not.
func TestWatchProtectsDirectory(t *testing.T) {
	t.Parallel()
	testbin.Need(t, "tmux")
	for _, protect := range []bool{true, false} {
		sb := newSandbox(t)
		sb.tmux("x", "work")
		var args []string
		if !protect {
			args = []string{"--no-protect"}
		}
		w := sb.watch(args...)
		f, err := os.Open(sb.tmuxDir())
		if err != nil {
			t.Fatal(err)
		}
		// What systemd-tmpfiles does before it ages a directory.
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		f.Close()
		if locked := err == syscall.EWOULDBLOCK; locked != protect {
			t.Errorf("protect %v: LOCK_EX|LOCK_NB on %s = %v; want it refused: %v", protect, sb.tmuxDir(), err, protect)
		}
		w.stop(t)
	}
}

// As root, fanotify names the process that deleted the socket.
func TestWatchNamesTheDeleter(t *testing.T) {
	t.Parallel()
	testbin.NeedRoot(t, "as fanotify reports other processes' pids only to root")
	testbin.Need(t, "tmux")
	sb := newSandbox(t)
	pid := sb.tmux("x", "work")
	w := sb.watch()
	if strings.Contains(w.log.String(), "fanotify unavailable") {
		testbin.Missing(t, "fanotify is unavailable here: %s", w.log)
	}
	// rm is not reaped until the log names it: a reaped process leaves
	// nothing in /proc, and under load the event may be read after that
	// (the log then gives only the pid). A zombie keeps its comm.
	rm := exec.Command("rm", sb.tmuxSock("x"))
	if err := rm.Start(); err != nil {
		t.Fatal(err)
	}
	want := " (socket of tmux server " + strconv.Itoa(pid) + "); by rm (pid " + strconv.Itoa(rm.Process.Pid)
	w.expect(t, "deleted "+sb.tmuxSock("x")+" at ")
	w.expect(t, want)
	rm.Wait()
	w.stop(t)
}
