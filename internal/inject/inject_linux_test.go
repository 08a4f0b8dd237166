//go:build linux && (amd64 || arm64)

package inject

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/nohupx/nohupx/internal/procfs"
	"github.com/nohupx/nohupx/internal/sigs"
	"github.com/nohupx/nohupx/internal/testbin"
)

// TestChecksumAcrossInjections: a job that keeps its values in registers
// and on its stack computes correctly across many injections that each
// run real system calls in it, and its terminal fds are replaced in place.
func TestChecksumAcrossInjections(t *testing.T) {
	h := startHelper(t, "spin")
	h.rounds(2)
	before := procStatus(t, h.pid)
	out := filepath.Join(t.TempDir(), "out")

	res, err := Apply(h.pid, Request{
		Ignore: []syscall.Signal{syscall.SIGHUP, 40},
		Always: true,
		Output: func() (Output, error) { return Output{Fd: -1, Path: out}, nil },
	})
	if err != nil {
		t.Fatalf("Apply = %+v, %v", res, err)
	}
	t.Logf("result: %+v", res)
	if res.takenAt != "stop" {
		t.Logf("the spinning thread was caught in a system call, not in its loop (%s, %s)", res.takenAt, res.insnFrom)
	}
	if !res.Stdin || !slices.Equal(res.Redirected, []int{1, 2}) || res.Threads < 2 {
		t.Errorf("Apply = %+v; want stdin, fds 1 and 2 redirected, several threads", res)
	}
	// The Go runtime catches SIGHUP and signal 40: handlers, replaced.
	if !slices.Equal(res.Replaced, []syscall.Signal{syscall.SIGHUP, 40}) {
		t.Errorf("Replaced = %v; want [HUP 40] (the Go runtime's handlers)", res.Replaced)
	}
	st := procStatus(t, h.pid)
	if st.SigIgn&sigs.Mask(syscall.SIGHUP) == 0 || st.SigIgn&sigs.Mask(40) == 0 {
		t.Errorf("SigIgn = %x; want HUP and 40 in it", st.SigIgn)
	}
	if got := st.SigIgn &^ (sigs.Mask(syscall.SIGHUP) | sigs.Mask(40)); got != before.SigIgn {
		t.Errorf("SigIgn = %x; want %x plus HUP and 40 only", st.SigIgn, before.SigIgn)
	}
	if got := fdTarget(h.pid, 0); got != "/dev/null" {
		t.Errorf("fd 0 -> %q; want /dev/null", got)
	}
	for _, fd := range []int{1, 2} {
		if got := fdTarget(h.pid, fd); got != out {
			t.Errorf("fd %d -> %q; want %q", fd, got, out)
		}
		if f := fdFlags(t, h.pid, fd); f&unix.O_APPEND == 0 || f&unix.O_NONBLOCK != 0 || f&unix.O_CLOEXEC != 0 {
			t.Errorf("fd %d flags %o; want O_APPEND, blocking, not close-on-exec", fd, f)
		}
	}
	if f := fdFlags(t, h.pid, 0); f&unix.O_ACCMODE != unix.O_WRONLY {
		t.Errorf("fd 0 flags %o; want write-only, as GNU nohup", f)
	}
	if fi, err := os.Stat(out); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("output file: %v, %v; want mode 0600", fi, err)
	}
	// No fd left behind: 0, 1, 2 and whatever the runtime had (the
	// pipe and epoll fds of the Go runtime).
	fds := func() int { e, _ := os.ReadDir(fmt.Sprintf("/proc/%d/fd", h.pid)); return len(e) }
	nfds := fds()
	paths := map[string]int{}

	// More injections, each with real calls: a signal it does not ignore
	// yet, with the handler replaced.
	for sig := syscall.Signal(41); sig < 56; sig++ {
		res, err := Apply(h.pid, Request{Ignore: []syscall.Signal{sig}, Always: true})
		if err != nil || !slices.Equal(res.Replaced, []syscall.Signal{sig}) {
			t.Fatalf("Apply(ignore %d) = %+v, %v; want it replaced", sig, res, err)
		}
		paths[res.takenAt+"/"+res.insnFrom]++
		time.Sleep(time.Duration(sig%7) * time.Millisecond)
	}
	t.Logf("where the thread was taken / the syscall instruction found: %v", paths)
	if paths["stop/pc's mapping"] == 0 {
		t.Errorf("no injection borrowed a syscall instruction of the program's own code for a thread caught in it: %v", paths)
	}
	if got := fds(); got != nfds {
		t.Errorf("the target has %d fds after the injections; want %d as before", got, nfds)
	}
	// Mappings: the scratch page is gone again.
	waitFor(t, "more rounds in the file", func() bool {
		b, _ := os.ReadFile(out)
		n, bad := oks(string(b))
		if bad != "" {
			t.Fatalf("the checksum job reports %q: its registers or memory changed", bad)
		}
		return n >= 5
	})
	b, _ := os.ReadFile(out)
	if _, bad := oks(string(b)); bad != "" {
		t.Fatalf("the checksum job reports %q", bad)
	}
	if _, bad := oks(h.terminal()); bad != "" {
		t.Fatalf("the checksum job reports %q", bad)
	}
}

// TestCorruptionIsCaught proves the checksum job can fail: with the
// registers deliberately damaged at the restore, it reports BAD or dies.
func TestCorruptionIsCaught(t *testing.T) {
	h := startHelper(t, "spin")
	h.rounds(2)
	// A thread caught at a system call has its live values on the
	// stack (Go keeps none in registers across one): damage there may go
	// unseen. So damage it again until it shows, up to 20 times.
	caught := func() string {
		if _, bad := oks(h.terminal()); bad != "" {
			return bad
		}
		if st, err := procfs.ReadStatus(h.pid); err != nil || st.State == 'Z' {
			return "the job died"
		}
		return ""
	}
	for i := 0; i < 20; i++ {
		testCorrupt = true
		res, err := Apply(h.pid, Request{Ignore: []syscall.Signal{syscall.Signal(40 + i)}, Always: true})
		testCorrupt = false
		if err != nil {
			if c := caught(); c != "" {
				t.Logf("caught after %d damaged restores: %s", i+1, c)
				return
			}
			t.Fatalf("Apply: %v", err)
		}
		deadline := time.Now().Add(2 * time.Second)
		for time.Now().Before(deadline) {
			if c := caught(); c != "" {
				t.Logf("caught after %d damaged restores (the last taken at %s): %s", i+1, res.takenAt, c)
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	t.Fatal("the checksum job noticed nothing although its registers were damaged")
}

// TestRestartedRead: a thread blocked in read(2) is interrupted with
// -ERESTARTSYS; it must go back to the same read with the same
// arguments, and the data must arrive where it always did.
func TestRestartedRead(t *testing.T) {
	h := startHelper(t, "read")
	waitFor(t, "READY", func() bool { return strings.Contains(h.terminal(), "READY") })
	out := filepath.Join(t.TempDir(), "out")
	for i := 0; i < 3; i++ {
		// The premise: a thread is blocked in read(2) on fd 3. After a
		// ping the helper prints and loops back, so check every time.
		waitFor(t, "a thread blocked in read(3, ...)", func() bool { return inRead(h.pid, 3) })
		req := Request{Ignore: []syscall.Signal{syscall.Signal(50 + i)}, Always: true}
		if i == 0 {
			req.Output = func() (Output, error) { return Output{Fd: -1, Path: out}, nil }
		}
		res, err := Apply(h.pid, req)
		if err != nil {
			t.Fatalf("Apply #%d: %v", i, err)
		}
		t.Logf("result: %+v", res)
		if res.takenAt != "entry" || res.insnFrom != "entry" {
			t.Errorf("a thread blocked in read was taken at %q with the instruction from %q; want both at the restarted read's entry", res.takenAt, res.insnFrom)
		}
		fmt.Fprintf(h.pipe, "ping%d\n", i)
		want := fmt.Sprintf("got ping%d", i)
		waitFor(t, want, func() bool {
			b, _ := os.ReadFile(out)
			return strings.Contains(string(b), want)
		})
	}
	b, _ := os.ReadFile(out)
	if strings.Contains(string(b), "BAD") || strings.Contains(string(b), "EINTR") {
		t.Errorf("the reader saw %q; want its reads undisturbed", b)
	}
}

// TestHandlerKept: a program's own SIGHUP handler is left alone unless
// Always, and the result says so.
func TestHandlerKept(t *testing.T) {
	h := startHelper(t, "handler")
	h.rounds(1)
	res, err := Apply(h.pid, Request{Ignore: []syscall.Signal{syscall.SIGHUP}})
	if err != nil || !slices.Equal(res.KeptHandler, []syscall.Signal{syscall.SIGHUP}) || len(res.Ignored)+len(res.Replaced) != 0 {
		t.Fatalf("Apply = %+v, %v; want HUP's handler kept", res, err)
	}
	if st := procStatus(t, h.pid); st.SigCgt&sigs.Mask(syscall.SIGHUP) == 0 || st.SigIgn&sigs.Mask(syscall.SIGHUP) != 0 {
		t.Errorf("SigCgt %x SigIgn %x; want HUP still caught", st.SigCgt, st.SigIgn)
	}
	res, err = Apply(h.pid, Request{Ignore: []syscall.Signal{syscall.SIGHUP}, Always: true})
	if err != nil || !slices.Equal(res.Replaced, []syscall.Signal{syscall.SIGHUP}) {
		t.Fatalf("Apply(Always) = %+v, %v; want HUP's handler replaced", res, err)
	}
	if st := procStatus(t, h.pid); st.SigIgn&sigs.Mask(syscall.SIGHUP) == 0 {
		t.Errorf("SigIgn %x; want HUP ignored", st.SigIgn)
	}
	res, err = Apply(h.pid, Request{Ignore: []syscall.Signal{syscall.SIGHUP}, Always: true})
	if err != nil || !slices.Equal(res.AlreadyIgnored, []syscall.Signal{syscall.SIGHUP}) || res.Changed() {
		t.Fatalf("Apply again = %+v, %v; want HUP already ignored, nothing changed", res, err)
	}
}

// TestStoppedStaysStopped: a stopped target is changed and stays stopped;
// with Continue it runs again.
func TestStoppedStaysStopped(t *testing.T) {
	h := startHelper(t, "spin")
	h.rounds(1)
	syscall.Kill(h.pid, syscall.SIGSTOP)
	waitFor(t, "stopped", func() bool { return procStatus(t, h.pid).State == 'T' })
	res, err := Apply(h.pid, Request{Ignore: []syscall.Signal{syscall.SIGHUP, 42}, Always: true})
	if err != nil || !res.Stopped || res.Continued {
		t.Fatalf("Apply = %+v, %v; want it seen stopped and not continued", res, err)
	}
	// Detached, the thread passes through R on its way back into the
	// group-stop the kernel re-instates; then it must stay there.
	waitFor(t, "stopped again", func() bool { return procStatus(t, h.pid).State == 'T' })
	n0, _ := oks(h.terminal())
	for i := 0; i < 30; i++ {
		if st := procStatus(t, h.pid); st.State != 'T' {
			t.Fatalf("state %c after Apply; want it still stopped (T)", st.State)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if n, _ := oks(h.terminal()); n != n0 {
		t.Fatalf("%d more rounds while it should be stopped", n-n0)
	}
	if st := procStatus(t, h.pid); st.SigIgn&sigs.Mask(42) == 0 {
		t.Errorf("SigIgn %x; want 42 ignored", st.SigIgn)
	}
	res, err = Apply(h.pid, Request{Ignore: []syscall.Signal{43}, Always: true, Continue: true})
	if err != nil || !res.Continued {
		t.Fatalf("Apply(Continue) = %+v, %v; want it continued", res, err)
	}
	h.goesOn()
}

// TestFailureIsUndone: a failure after a change (the output cannot be
// opened, after a signal was set) leaves the target exactly as it was.
func TestFailureIsUndone(t *testing.T) {
	h := startHelper(t, "spin")
	h.rounds(1)
	before := procStatus(t, h.pid)
	fds := map[int]string{}
	for fd := 0; fd < 3; fd++ {
		fds[fd] = fdTarget(h.pid, fd)
	}
	res, err := Apply(h.pid, Request{
		Ignore: []syscall.Signal{syscall.SIGHUP, 44},
		Always: true,
		Output: func() (Output, error) { return Output{Fd: -1, Path: "/nonexistent/dir/nohup.out"}, nil },
	})
	if !errors.Is(err, ErrFailed) || errors.Is(err, ErrNotUndone) {
		t.Fatalf("Apply = %+v, %v; want ErrFailed", res, err)
	}
	t.Logf("error: %v", err)
	if !strings.Contains(err.Error(), "No such file or directory") || !strings.Contains(err.Error(), "nothing was changed") {
		t.Errorf("error %q; want the reason and 'nothing was changed'", err)
	}
	after := procStatus(t, h.pid)
	if after.SigIgn != before.SigIgn || after.SigCgt != before.SigCgt {
		t.Errorf("SigIgn/SigCgt %x/%x; want %x/%x as before", after.SigIgn, after.SigCgt, before.SigIgn, before.SigCgt)
	}
	for fd := 0; fd < 3; fd++ {
		if got := fdTarget(h.pid, fd); got != fds[fd] {
			t.Errorf("fd %d -> %q; want %q as before", fd, got, fds[fd])
		}
	}
	h.goesOn()
}

// TestRefusedCallIsUndone: a call the target's kernel refuses in the middle
// of the signal phase (SIG_IGN for SIGKILL is EINVAL, after SIGHUP was
// set) fails the whole injection, names the call, and takes SIGHUP back.
func TestRefusedCallIsUndone(t *testing.T) {
	h := startHelper(t, "spin")
	h.rounds(1)
	before := procStatus(t, h.pid)
	res, err := Apply(h.pid, Request{Ignore: []syscall.Signal{syscall.SIGHUP, syscall.SIGKILL}, Always: true})
	if !errors.Is(err, ErrFailed) || errors.Is(err, ErrNotUndone) {
		t.Fatalf("Apply(ignore HUP, KILL) = %+v, %v; want ErrFailed", res, err)
	}
	if want := "rt_sigaction(SIGKILL, SIG_IGN) in it: "; !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "nothing was changed") {
		t.Errorf("error %q; want %q and 'nothing was changed'", err, want)
	}
	if after := procStatus(t, h.pid); after.SigIgn != before.SigIgn || after.SigCgt != before.SigCgt {
		t.Errorf("SigIgn/SigCgt %x/%x; want %x/%x as before", after.SigIgn, after.SigCgt, before.SigIgn, before.SigCgt)
	}
	h.goesOn()
}

// TestThreadID: a thread's id stands for its process.
func TestThreadID(t *testing.T) {
	h := startHelper(t, "spin")
	h.rounds(1)
	ents, err := os.ReadDir(fmt.Sprintf("/proc/%d/task", h.pid))
	if err != nil {
		t.Fatal(err)
	}
	tid := 0
	for _, e := range ents {
		if e.Name() != fmt.Sprint(h.pid) {
			fmt.Sscan(e.Name(), &tid)
			break
		}
	}
	if tid == 0 {
		t.Fatal("the helper, a Go program, has only one thread")
	}
	res, err := Apply(tid, Request{Ignore: []syscall.Signal{46}, Always: true})
	if err != nil || res.Pid != h.pid || res.ThreadOf != tid {
		t.Fatalf("Apply(tid %d) = %+v, %v; want process %d", tid, res, err, h.pid)
	}
}

func TestErrors(t *testing.T) {
	if _, err := Apply(1<<22+7, Request{}); !errors.Is(err, ErrNoProcess) {
		t.Errorf("Apply(no such pid) = %v; want ErrNoProcess", err)
	}
	if _, err := Apply(os.Getpid(), Request{}); !errors.Is(err, ErrPermission) {
		t.Errorf("Apply(self) = %v; want ErrPermission", err)
	}

	// Traced by someone else: this test, from a locked thread.
	h := startHelper(t, "spin")
	h.rounds(1)
	seized := make(chan error)
	release := make(chan struct{})
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		err := ptrace(unix.PTRACE_SEIZE, h.pid, 0, 0)
		seized <- err
		<-release
		if err == nil {
			// A seized, running tracee cannot be detached; stop it first.
			ptrace(unix.PTRACE_INTERRUPT, h.pid, 0, 0)
			var ws unix.WaitStatus
			unix.Wait4(h.pid, &ws, unix.WALL, nil)
			ptrace(unix.PTRACE_DETACH, h.pid, 0, 0)
		}
		close(seized)
	}()
	if err := <-seized; err != nil {
		t.Fatalf("seize: %v", err)
	}
	_, err := Apply(h.pid, Request{Ignore: []syscall.Signal{syscall.SIGHUP}})
	close(release)
	<-seized
	if !errors.Is(err, ErrTraced) || !strings.Contains(err.Error(), fmt.Sprint(os.Getpid())) {
		t.Errorf("Apply(traced) = %v; want ErrTraced naming %d", err, os.Getpid())
	}
}

func TestGroup(t *testing.T) {
	pids, err := Group(syscall.Getpgrp())
	if err != nil || !slices.Contains(pids, os.Getpid()) {
		t.Errorf("Group(our group) = %v, %v; want it to contain %d", pids, err, os.Getpid())
	}
	if _, err := Group(1<<22 + 7); !errors.Is(err, ErrNoProcess) {
		t.Errorf("Group(none) = %v; want ErrNoProcess", err)
	}
}

// TestOutputThroughOurFd: the target reopens an fd of ours through
// /proc/<our pid>/fd (a relay's pipe, in nohupx), and its output comes out
// of the pipe.
func TestOutputThroughOurFd(t *testing.T) {
	h := startHelper(t, "spin")
	h.rounds(1)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	res, err := Apply(h.pid, Request{
		Ignore: []syscall.Signal{syscall.SIGHUP},
		Output: func() (Output, error) {
			return Output{Fd: int(w.Fd()), Path: "/nonexistent/unused", Rotated: true}, nil
		},
	})
	w.Close()
	if err != nil || !res.Rotated || res.NotRotated != "" || !slices.Equal(res.Redirected, []int{1, 2}) {
		t.Fatalf("Apply = %+v, %v; want fds 1 and 2 on our pipe", res, err)
	}
	if f := fdFlags(t, h.pid, 1); f&unix.O_NONBLOCK != 0 {
		t.Errorf("fd 1 flags %o; want blocking", f)
	}
	buf := make([]byte, 4096)
	r.SetReadDeadline(time.Now().Add(10 * time.Second))
	n, err := r.Read(buf)
	if err != nil || !strings.Contains(string(buf[:n]), "OK ") {
		t.Fatalf("read from the pipe: %q, %v; want the job's OK lines", buf[:n], err)
	}
}

// TestOtherUserFallsBack: a process of another user cannot reopen root's
// fds through /proc, so it opens the output file itself, and says why it
// is not rotated.
func TestOtherUserFallsBack(t *testing.T) {
	testbin.NeedRoot(t, "to run the target as nobody")
	h := startHelperAs(t, "spin", &syscall.Credential{Uid: 65534, Gid: 65534})
	h.rounds(1)
	dir, err := os.MkdirTemp("", "inject-out-") // t.TempDir's parent is private
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	os.Chmod(dir, 0o777)
	out := filepath.Join(dir, "nohup.out")
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	res, err := Apply(h.pid, Request{
		Ignore: []syscall.Signal{syscall.SIGHUP},
		Output: func() (Output, error) { return Output{Fd: int(w.Fd()), Path: out, Rotated: true}, nil },
	})
	if err != nil || res.Rotated || !strings.Contains(res.NotRotated, "Permission denied") {
		t.Fatalf("Apply = %+v, %v; want the file, not rotated, with the reason", res, err)
	}
	if got := fdTarget(h.pid, 1); got != out {
		t.Errorf("fd 1 -> %q; want %q", got, out)
	}
	var sb unix.Stat_t
	if err := unix.Stat(out, &sb); err != nil || sb.Uid != 65534 || sb.Mode&0o777 != 0o600 {
		t.Errorf("%s: uid %d mode %o, %v; want created by the target, 0600", out, sb.Uid, sb.Mode&0o777, err)
	}
}

// TestSignalStorm: signals delivered while the thread is held (each one a
// signal-delivery-stop that must be passed on, a handler running on top of
// the injected state) change nothing in the result.
func TestSignalStorm(t *testing.T) {
	h := startHelper(t, "storm")
	h.rounds(1)
	stop := make(chan struct{})
	sent := make(chan int)
	go func() {
		n := 0
		for {
			select {
			case <-stop:
				sent <- n
				return
			default:
			}
			// Thread-directed, at the thread Apply holds.
			unix.Tgkill(h.pid, h.pid, unix.SIGUSR1)
			n++
			time.Sleep(50 * time.Microsecond)
		}
	}()
	passed := 0
	for sig := syscall.Signal(34); sig < 60; sig++ {
		res, err := Apply(h.pid, Request{Ignore: []syscall.Signal{sig}, Always: true})
		passed += res.passed
		if err != nil || len(res.Replaced)+len(res.Ignored) != 1 {
			close(stop)
			<-sent
			t.Fatalf("Apply(ignore %d) under a signal storm = %+v, %v", sig, res, err)
		}
	}
	close(stop)
	t.Logf("sent %d signals, %d of them arrived while the thread was held", <-sent, passed)
	if passed == 0 {
		t.Log("no signal arrived during an injection: the storm proved nothing this time")
	}
	h.goesOn()
	if st := procStatus(t, h.pid); st.SigCgt&sigs.Mask(syscall.SIGUSR1) == 0 {
		t.Errorf("SIGUSR1's handler is gone")
	}
}

// TestVDSOInstruction: the fallback, a syscall instruction borrowed from
// the vDSO, works as well (no signals: see findInsn about Go on arm64).
func TestVDSOInstruction(t *testing.T) {
	h := startHelper(t, "spin")
	h.rounds(1)
	testVDSO = true
	defer func() { testVDSO = false }()
	for sig := syscall.Signal(40); sig < 45; sig++ {
		res, err := Apply(h.pid, Request{Ignore: []syscall.Signal{sig}, Always: true})
		if err != nil || len(res.Replaced)+len(res.Ignored) != 1 || res.insnFrom != "vdso" {
			t.Fatalf("Apply = %+v, %v; want the change made with the vDSO's instruction", res, err)
		}
	}
	h.goesOn()
}

// TestRestartedSleep: a thread in nanosleep(2) goes on with the time that
// was left (restart_syscall), not the whole time again.
func TestRestartedSleep(t *testing.T) {
	h := startHelper(t, "nanosleep")
	waitFor(t, "READY", func() bool { return strings.Contains(h.terminal(), "READY") })
	out := filepath.Join(t.TempDir(), "out")
	for i := 0; i < 3; i++ {
		// The premise: the thread is asleep, in nanosleep or (after an
		// earlier injection) restart_syscall; then well into its 2 s.
		waitFor(t, "the helper asleep", func() bool {
			return inSyscall(h.pid, unix.SYS_NANOSLEEP) || inSyscall(h.pid, unix.SYS_RESTART_SYSCALL)
		})
		time.Sleep(800 * time.Millisecond)
		req := Request{Ignore: []syscall.Signal{syscall.Signal(50 + i)}, Always: true}
		if i == 0 {
			req.Output = func() (Output, error) { return Output{Fd: -1, Path: out}, nil }
		}
		res, err := Apply(h.pid, req)
		if err != nil {
			t.Fatalf("Apply #%d: %v", i, err)
		}
		if res.takenAt != "entry" {
			t.Errorf("a thread in nanosleep was taken at %q; want at the entry of restart_syscall", res.takenAt)
		}
	}
	var lines []string
	waitFor(t, "three sleeps after the injections", func() bool {
		b, _ := os.ReadFile(out)
		lines = regexp.MustCompile(`slept \d+`).FindAllString(string(b), -1)
		return len(lines) >= 3
	})
	for _, l := range lines {
		var ms int
		fmt.Sscanf(l, "slept %d", &ms)
		// A sleep that started over after the injection, 800 ms in,
		// would take 2800 ms; 500 ms of margin is left for a busy machine.
		if ms < 2000 || ms > 2500 {
			t.Errorf("%s ms; want 2000 (and a little): a restarted sleep must not start over", l)
		}
	}
	b, _ := os.ReadFile(out)
	if strings.Contains(string(b), "BAD") {
		t.Errorf("the sleeper reported %q", b)
	}
}

// TestNothingLeftBehind: after a change, a target's memory map and fd
// table are as before (the scratch page is unmapped, the temporary fds
// closed). sleep(1) maps nothing on its own, unlike the Go helpers.
func TestNothingLeftBehind(t *testing.T) {
	path := testbin.Need(t, "sleep")
	cmd := exec.Command(path, "100")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	pid := cmd.Process.Pid
	snapshot := func() string {
		maps, _ := os.ReadFile(fmt.Sprintf("/proc/%d/maps", pid))
		fds, _ := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
		var names []string
		for _, e := range fds {
			n, _ := strconv.Atoi(e.Name())
			names = append(names, e.Name()+"->"+fdTarget(pid, n))
		}
		return string(maps) + strings.Join(names, " ")
	}
	// Once sleep is in its sleeping call, the dynamic loader is done with
	// the maps and nothing else changes them.
	waitFor(t, "sleep to be asleep", func() bool {
		return inSyscall(pid, unix.SYS_CLOCK_NANOSLEEP) || inSyscall(pid, unix.SYS_NANOSLEEP)
	})
	before := snapshot()
	res, err := Apply(pid, Request{Ignore: []syscall.Signal{syscall.SIGHUP, syscall.SIGUSR1, syscall.SIGUSR2}})
	if err != nil || len(res.Ignored) != 3 {
		t.Fatalf("Apply = %+v, %v; want three signals ignored", res, err)
	}
	if after := snapshot(); after != before {
		t.Errorf("the target's map or fds changed:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}

// inRead reports whether a thread of pid is blocked in read(fd, ...).
func inRead(pid, fd int) bool { return inSyscall(pid, unix.SYS_READ, fmt.Sprintf("0x%x", fd)) }

// inSyscall reports whether a thread of pid is in system call nr, with
// these first arguments, from /proc/PID/task/TID/syscall (the number, then
// the arguments in hex).
func inSyscall(pid, nr int, args ...string) bool {
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/syscall", pid))
	for _, task := range tasks {
		b, err := os.ReadFile(task)
		if err != nil {
			continue
		}
		f := strings.Fields(string(b))
		if len(f) > len(args) && f[0] == strconv.Itoa(nr) && slices.Equal(f[1:1+len(args)], args) {
			return true
		}
	}
	return false
}
