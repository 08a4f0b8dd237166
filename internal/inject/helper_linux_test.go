//go:build linux && (amd64 || arm64)

package inject

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"

	"github.com/nohupx/nohupx/internal/procfs"
	"github.com/nohupx/nohupx/internal/testbin"
	"github.com/nohupx/nohupx/internal/testbin/checksum"
)

// The targets of these tests are this test binary, re-executed with
// INJECT_HELPER set, on a pty of its own (fds 0–2 are the terminal).

func init() {
	if os.Getenv("INJECT_HELPER") != "" {
		// main runs on the main thread, the one Apply seizes: what the
		// helper does there is what the thread is caught doing.
		runtime.LockOSThread()
	}
}

func TestMain(m *testing.M) {
	switch os.Getenv("INJECT_HELPER") {
	case "":
		testbin.DefaultSignals()
		os.Exit(m.Run())
	case "spin":
		spin()
	case "handler":
		signal.Notify(make(chan os.Signal, 1), syscall.SIGHUP)
		spin()
	case "storm":
		// Handlers that run all the time, on whatever thread: signals
		// land in the middle of injections.
		c := make(chan os.Signal, 64)
		signal.Notify(c, syscall.SIGUSR1, syscall.SIGCHLD)
		go func() {
			for range c {
			}
		}()
		spin()
	case "read":
		readLoop()
	case "nanosleep":
		sleepLoop()
	}
	if mode := os.Getenv("INJECT_HELPER"); strings.HasPrefix(mode, "seccomp:") {
		seccompSleep(mode)
	}
	os.Exit(3)
}

// spin is the checksum job: rounds of arithmetic whose values live in
// registers (general and floating point) and in a stack array, compared
// with the first round's. It prints "OK n" after each good round and
// "BAD ..." for a wrong one, on stdout; it runs in user code almost all
// the time, so that is where Apply catches it.
func spin() {
	const steps = 3_000_000 // a round is a fraction of a second
	want := checksum.Round(steps)
	fmt.Printf("OK 0 %x\n", want)
	for n := 1; ; n++ {
		if got := checksum.Round(steps); got != want {
			fmt.Printf("BAD %d: %x, want %x\n", n, got, want)
		} else {
			fmt.Printf("OK %d\n", n)
		}
	}
}

// readLoop blocks in read(2) on fd 3, a pipe from the test, and echoes
// what it reads: a thread caught in a system call the kernel restarts.
func readLoop() {
	buf := make([]byte, 64)
	fmt.Println("READY")
	for {
		n, err := unix.Read(3, buf)
		switch {
		case err == unix.EINTR:
			fmt.Println("EINTR")
			continue
		case err != nil:
			fmt.Printf("BAD read: %v\n", err)
			os.Exit(1)
		case n == 0:
			os.Exit(0)
		}
		fmt.Printf("got %s\n", bytes.TrimSpace(buf[:n]))
	}
}

// sleepLoop sleeps 2 s at a time with nanosleep(2) on the main thread
// and prints how long each took: a thread caught in a call the kernel
// restarts with restart_syscall (-ERESTART_RESTARTBLOCK), which must go on
// with the time that was left, not start over.
func sleepLoop() {
	fmt.Println("READY")
	for {
		start := time.Now()
		req := unix.NsecToTimespec(int64(2 * time.Second))
		for {
			var rem unix.Timespec
			err := unix.Nanosleep(&req, &rem)
			if err == unix.EINTR { // a Go runtime signal's handler ran
				req = rem
				continue
			}
			if err != nil {
				fmt.Printf("BAD nanosleep: %v\n", err)
				os.Exit(1)
			}
			break
		}
		fmt.Printf("slept %d\n", time.Since(start).Milliseconds())
	}
}

// helper is a running helper process.
type helper struct {
	t    *testing.T
	cmd  *exec.Cmd
	pid  int
	tty  string // its terminal, /dev/pts/N
	pipe *os.File

	mu  sync.Mutex
	out bytes.Buffer // what it wrote to the terminal
}

func startHelper(t *testing.T, mode string) *helper {
	t.Helper()
	return startHelperAs(t, mode, nil)
}

// rounds waits until the checksum job has reported n good rounds.
func (h *helper) rounds(n int) {
	h.t.Helper()
	waitFor(h.t, "the first OK", func() bool { k, _ := oks(h.terminal()); return k >= n })
}

// goesOn waits for three more rounds than so far, and fails on a bad one:
// the checksum job runs on as it was.
func (h *helper) goesOn() {
	h.t.Helper()
	n0, _ := oks(h.terminal())
	waitFor(h.t, "more rounds", func() bool { n, _ := oks(h.terminal()); return n > n0+2 })
	if _, bad := oks(h.terminal()); bad != "" {
		h.t.Fatalf("the checksum job reports %q", bad)
	}
}

// startHelperAs starts the helper with other credentials (nil: ours).
func startHelperAs(t *testing.T, mode string, cred *syscall.Credential) *helper {
	t.Helper()
	exe := os.Args[0]
	if cred != nil {
		exe = testbin.PublicCopy(t, exe, "helper")
	}
	master, slave, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	h := &helper{t: t, tty: slave.Name()}
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), "INJECT_HELPER="+mode)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Credential: cred}
	if mode == "read" {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.ExtraFiles = []*os.File{r}
		defer r.Close()
		h.pipe = w
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	slave.Close()
	h.cmd, h.pid = cmd, cmd.Process.Pid
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 4096)
		for {
			n, err := master.Read(buf)
			h.mu.Lock()
			h.out.Write(buf[:n])
			h.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() {
		// Never Wait while Apply might run: a tracer's wait would
		// consume the tracee's stops. Here all Applies are over.
		syscall.Kill(h.pid, syscall.SIGKILL)
		cmd.Wait()
		master.Close()
		<-done
		if h.pipe != nil {
			h.pipe.Close()
		}
		if t.Failed() {
			t.Logf("helper %s (pid %d) wrote on its terminal:\n%s", mode, h.pid, h.terminal())
		}
	})
	return h
}

func (h *helper) terminal() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.out.String()
}

// waitFor polls cond until it holds or 10 s pass.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// procStatus is /proc/PID/status of a helper, failing the test if gone.
func procStatus(t *testing.T, pid int) procfs.Status {
	t.Helper()
	st, err := procfs.ReadStatus(pid)
	if err != nil {
		t.Fatalf("status of %d: %v", pid, err)
	}
	return st
}

func fdTarget(pid, fd int) string {
	s, _ := os.Readlink(fmt.Sprintf("/proc/%d/fd/%d", pid, fd))
	return s
}

func fdFlags(t *testing.T, pid, fd int) uint64 {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/fdinfo/%d", pid, fd))
	if err != nil {
		t.Fatal(err)
	}
	f, err := parseFdinfoFlags(b)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// oks counts the "OK n" lines in s and reports any BAD line.
func oks(s string) (n int, bad string) {
	for _, l := range strings.Split(s, "\n") {
		switch {
		case strings.HasPrefix(l, "OK "):
			n++
		case strings.HasPrefix(l, "BAD"):
			return n, l
		}
	}
	return n, ""
}
