//go:build linux && (amd64 || arm64)

package inject

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/nohupx/nohupx/internal/sigs"
)

// TestSeccompFilter: a target under a seccomp filter, taken asleep (at
// the entry of restart_syscall, where the thread's own call has to be
// set aside), is changed when its filter allows the injected calls, and
// otherwise left as it was, alive and with one line saying why; Apply
// returns either way. The filter answers numbers outside the table (-1
// included) with the same action as the denied call: ENOSYS or KILL
// there is what killed or derailed the target when the entry-stop call
// was skipped with -1. A filter that kills for a call nohupx makes kills
// the target (the kernel gives a tracer no say), and the error says so;
// one that kills only the calling thread leaves the process running
// without it, changed as far as nohupx had gone, and the error says that.
func TestSeccompFilter(t *testing.T) {
	const (
		kept   = iota // the target runs on, changed or not
		killed        // the filter kills the target
		thread        // the filter kills the thread nohupx used
	)
	for _, c := range []struct {
		mode string
		want []string // in the error; none: success
		end  int
	}{
		{"seccomp:enosys:", nil, kept},
		{"seccomp:kill:", nil, kept},
		{"seccomp:trap:", nil, kept},
		{"seccomp:errno:openat", []string{"Operation not permitted", "seccomp filter", "nothing was changed"}, kept},
		{"seccomp:enosys:openat", []string{"Function not implemented", "seccomp filter", "nothing was changed"}, kept},
		{"seccomp:trap:openat", []string{"refused by its seccomp filter (SIGSYS", "nothing was changed"}, kept},
		{"seccomp:kill:openat", []string{"its seccomp filter killed it (SIGSYS)"}, killed},
		{"seccomp:killthread:openat", []string{"its seccomp filter killed the thread nohupx used (SIGSYS)", "runs on without that thread"}, thread},
	} {
		t.Run(strings.ReplaceAll(c.mode, ":", "_"), func(t *testing.T) {
			h := startHelper(t, c.mode)
			waitFor(t, "READY", func() bool { return strings.Contains(h.terminal(), "READY") })
			before := procStatus(t, h.pid)
			if before.Seccomp != 2 {
				t.Fatalf("the helper's Seccomp is %d; want 2 (a filter)", before.Seccomp)
			}
			waitFor(t, "the helper asleep", func() bool {
				return inSyscall(h.pid, unix.SYS_NANOSLEEP) || inSyscall(h.pid, unix.SYS_RESTART_SYSCALL)
			})
			time.Sleep(100 * time.Millisecond) // well into its 2 s
			out := filepath.Join(t.TempDir(), "out")
			res, err := applyWithin(t, h.pid, Request{
				Ignore: []syscall.Signal{syscall.SIGHUP},
				Always: true,
				Output: func() (Output, error) { return Output{Fd: -1, Path: out}, nil },
			})
			t.Logf("Apply: %+v, %v", res, err)
			if res.takenAt != "entry" {
				t.Errorf("taken at %q; the premise is a thread held at a syscall entry", res.takenAt)
			}
			switch {
			case c.want == nil:
				seccompChanged(t, h, res, err, out)
				return
			case c.end == killed:
				seccompKilled(t, h, err, c.want)
				return
			case c.end == thread:
				seccompThreadKilled(t, h, err, c.want)
				return
			}
			seccompUnchanged(t, h, err, c.want, before.SigIgn, before.SigCgt)
		})
	}
}

// applyWithin is Apply with a generous deadline: a hang is a failure, not
// a test run that never ends.
func applyWithin(t *testing.T, pid int, req Request) (Result, error) {
	type ret struct {
		res Result
		err error
	}
	done := make(chan ret, 1)
	go func() {
		res, err := Apply(pid, req)
		done <- ret{res, err}
	}()
	select {
	case r := <-done:
		return r.res, r.err
	case <-time.After(60 * time.Second):
		t.Fatalf("Apply(%d) has not returned in 60 s", pid)
	}
	return Result{}, nil
}

func seccompChanged(t *testing.T, h *helper, res Result, err error, out string) {
	t.Helper()
	if err != nil || len(res.Replaced)+len(res.Ignored) != 1 || len(res.Redirected) != 2 {
		t.Fatalf("Apply = %+v, %v; want SIGHUP ignored and fds 1, 2 redirected", res, err)
	}
	if st := procStatus(t, h.pid); st.SigIgn&sigs.Mask(syscall.SIGHUP) == 0 {
		t.Errorf("SigIgn %x; want SIGHUP in it", st.SigIgn)
	}
	if got := fdTarget(h.pid, 1); got != out {
		t.Errorf("fd 1 -> %q; want %q", got, out)
	}
	waitFor(t, "a sleep reported in the output", func() bool {
		b, _ := os.ReadFile(out)
		return strings.Contains(string(b), "slept")
	})
	if b, _ := os.ReadFile(out); strings.Contains(string(b), "BAD") {
		t.Errorf("the sleeper reported %q", b)
	}
}

func seccompKilled(t *testing.T, h *helper, err error, want []string) {
	t.Helper()
	if !errors.Is(err, ErrNoProcess) {
		t.Fatalf("Apply: %v; want ErrNoProcess", err)
	}
	saysAll(t, err, want)
	// The test is both the helper's parent and its tracer, so Apply's
	// wait4 has reaped it (how it died is in the error, from that wait
	// status): it must be gone.
	if err := unix.Kill(h.pid, 0); err != unix.ESRCH {
		t.Errorf("kill(%d, 0): %v; want ESRCH, the helper dead and reaped", h.pid, err)
	}
}

// seccompThreadKilled: the leader is a zombie, the process lives on in
// its other threads, and what was changed before the fatal call (SIGHUP,
// whose call comes before the output's openat) stays.
func seccompThreadKilled(t *testing.T, h *helper, err error, want []string) {
	t.Helper()
	if !errors.Is(err, ErrNotUndone) {
		t.Fatalf("Apply: %v; want ErrNotUndone", err)
	}
	saysAll(t, err, want)
	if !livesOn(h.pid) {
		t.Errorf("no thread of the helper runs; want it running on without its leader")
	}
	if st := procStatus(t, h.pid); st.SigIgn&sigs.Mask(syscall.SIGHUP) == 0 {
		t.Errorf("SigIgn %x; want SIGHUP in it, as changed before the thread was killed", st.SigIgn)
	}
}

func seccompUnchanged(t *testing.T, h *helper, err error, want []string, sigIgn, sigCgt uint64) {
	t.Helper()
	if !errors.Is(err, ErrFailed) || errors.Is(err, ErrNotUndone) {
		t.Fatalf("Apply: %v; want ErrFailed", err)
	}
	saysAll(t, err, want)
	if strings.Contains(err.Error(), "\n") {
		t.Errorf("error %q; want one line", err)
	}
	st := procStatus(t, h.pid)
	if st.SigIgn != sigIgn || st.SigCgt != sigCgt {
		t.Errorf("SigIgn/SigCgt %x/%x; want %x/%x as before", st.SigIgn, st.SigCgt, sigIgn, sigCgt)
	}
	if got := fdTarget(h.pid, 1); got != h.tty {
		t.Errorf("fd 1 -> %q; want the terminal %s", got, h.tty)
	}
	n0 := strings.Count(h.terminal(), "slept")
	waitFor(t, "another sleep reported on the terminal", func() bool {
		return strings.Count(h.terminal(), "slept") > n0
	})
	if strings.Contains(h.terminal(), "BAD") {
		t.Errorf("the sleeper reported a failure")
	}
}

// saysAll checks that err says each of want.
func saysAll(t *testing.T, err error, want []string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q; want %q in it", err, w)
		}
	}
}
