//go:build linux

package e2e

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/nohupx/nohupx/internal/procfs"
	"github.com/nohupx/nohupx/internal/ptytest"
	"github.com/nohupx/nohupx/internal/sigs"
	"github.com/nohupx/nohupx/internal/testbin"
)

// The disown that works from outside: a job started WITHOUT nohup, as the
// user did, is rescued by `nohupx -p` / `-g` run from another process (as
// from another terminal), and then the terminal hangs up. The job must go
// on beating, and its later output must land in nohup.out in the
// directory nohupx was run from.

type attachCase struct {
	name    string
	job     func(t *testing.T, beat string) string // the command line
	fg      bool                                   // started in the foreground, then ^Z
	args    []string                               // nohupx options before the target
	group   bool                                   // -g: the target is the job's process group
	want    []string                               // in nohupx's report
	threads bool                                   // the job must be multi-threaded
	sigs    []syscall.Signal                       // must be ignored afterwards
	// dies marks a control: without nohupx, or with nohupx but without
	// the option the job needs, the job dies at the hangup, which shows
	// that the test can tell.
	dies bool
	// status is nohupx's expected exit status (0 unless set).
	status int
	// exit ends the shell with exit (twice, as bash refuses the first
	// while it has stopped jobs) instead of a terminal hangup.
	exit bool
}

func shJob(script string) func(*testing.T, string) string {
	return func(t *testing.T, beat string) string {
		return "sh " + shellQuote(testdataPath(t, script)) + " " + shellQuote(beat)
	}
}

func pyJob(t *testing.T, beat string) string {
	return shellQuote(testbin.Need(t, "python3")) + " " + shellQuote(testdataPath(t, "pybeat.py")) + " " + shellQuote(beat)
}

func goJob(t *testing.T, beat string) string {
	return shellQuote(testbin.Program(t, "./testdata/gobeat", "gobeat")) + " -stdout " + shellQuote(beat)
}

var attachCases = []attachCase{
	{name: "bash_bg_hangup", job: shJob("writer.sh"), args: []string{"-p"},
		want: []string{"now ignores HUP", "stdin from /dev/null", "stdout and stderr appended to 'nohup.out' (rotated by a relay)"},
		sigs: []syscall.Signal{syscall.SIGHUP}},
	// A stopped job also gets SIGTERM (then SIGCONT) from bash when the
	// terminal hangs up: --ignore TERM. It must stay stopped until then.
	{name: "bash_fg_ctrlZ_hangup", job: shJob("writer.sh"), fg: true, args: []string{"-p", "--ignore=TERM"},
		want: []string{"now ignores HUP,TERM", "still stopped (--continue resumes it)"},
		sigs: []syscall.Signal{syscall.SIGHUP, syscall.SIGTERM}},
	// The Go runtime handles HUP and TERM itself (and exits): -a.
	{name: "go_bg_hangup", job: goJob, args: []string{"-p", "-a"}, threads: true,
		want: []string{"now ignores HUP (its own handler replaced)", "stdout and stderr appended to 'nohup.out'"},
		sigs: []syscall.Signal{syscall.SIGHUP}},
	{name: "go_fg_ctrlZ_hangup", job: goJob, fg: true, args: []string{"-p", "-a", "--ignore=TERM"}, threads: true,
		want: []string{"now ignores HUP,TERM (its own handler replaced)", "still stopped"},
		sigs: []syscall.Signal{syscall.SIGHUP, syscall.SIGTERM}},
	// A two-process pipeline is one process group.
	{name: "pipeline_bg_hangup", group: true, args: []string{"-g"},
		job: func(t *testing.T, beat string) string { return shJob("writer.sh")(t, beat) + " | cat" },
		want: []string{"(sh): now ignores HUP; stdin from /dev/null; stderr appended to 'nohup.out'",
			"(cat): now ignores HUP; stdout and stderr appended to 'nohup.out'"},
		sigs: []syscall.Signal{syscall.SIGHUP}},

	// A stopped job needs TERM ignored too: plain -p does it, and says so.
	// Python keeps HUP and TERM at their defaults, so it dies of either.
	{name: "python_fg_ctrlZ_hangup", job: pyJob, fg: true, args: []string{"-p"},
		want: []string{"now ignores HUP,TERM; TERM too because it is stopped (bash sends SIGTERM to stopped jobs when it exits)",
			"still stopped (--continue resumes it)"},
		sigs: []syscall.Signal{syscall.SIGHUP, syscall.SIGTERM}},
	{name: "python_fg_ctrlZ_exit", job: pyJob, fg: true, args: []string{"-p"}, exit: true,
		want: []string{"now ignores HUP,TERM; TERM too because it is stopped"},
		sigs: []syscall.Signal{syscall.SIGHUP, syscall.SIGTERM}},

	// Controls.
	{name: "control_bash_bg_hangup_no_nohupx", job: shJob("writer.sh"), dies: true},
	{name: "control_python_fg_ctrlZ_exit_no_nohupx", job: pyJob, fg: true, exit: true, dies: true},
	// Without -a, a Go program keeps its runtime's HUP handler and dies at
	// the hangup: nohupx says so and exits 7, never 0.
	{name: "control_go_bg_hangup_no_a", job: goJob, args: []string{"-p"}, dies: true, status: 7,
		want: []string{"kept the program's own handler for HUP: it is a Go program, whose runtime exits on HUP unless the program handles it; -a replaces the handler",
			"may still die of HUP, which its own handler acts on; add -a to replace the handler"}},
}

func TestAttach(t *testing.T) {
	for _, c := range attachCases {
		t.Run(c.name, func(t *testing.T) {
			acquireCell(t)
			runAttach(t, c)
		})
	}
}

func runAttach(t *testing.T, c attachCase) {
	dir := t.TempDir()  // the shell's cwd and HOME
	here := t.TempDir() // where nohupx runs: nohup.out goes here, not to the shell's
	beatFile := filepath.Join(dir, "beat")
	sh := ptytest.Bash(t, dir)
	sh.Sync()
	cmd := c.job(t, beatFile)
	var j *job
	if c.fg {
		sh.Send(cmd + "\r")
		j = waitStart(t, beatFile, 0)
		j.settle()
		sh.Send("\x1a")
		j.waitState("stopped", func(s byte) bool { return s == 'T' })
		sh.Sync()
	} else {
		sh.Send(cmd + " & echo BANG$!\r")
		sh.Expect(regexp.MustCompile(`BANG(\d+)`), ptytest.Timeout)
		j = waitStart(t, beatFile, 0)
		j.settle()
		sh.Sync()
	}
	if c.threads {
		if n := threads(j.pid); n < 2 {
			t.Fatalf("the Go job has %d thread(s); the test wants a multi-threaded target", n)
		}
	}
	st, err := readStat(j.pid)
	if err != nil {
		t.Fatal(err)
	}
	target := j.pid
	// The pipeline's own processes are the shell's children in the group;
	// the writer's short-lived children (sleep, a subshell) come and go.
	var pipeline []int
	if c.group {
		target = st.PGRP
		if pipeline = childrenIn(st.PGRP, sh.Pid()); len(pipeline) < 2 {
			t.Fatalf("process group %d has %v as the shell's children; want the pipeline's two processes", st.PGRP, pipeline)
		}
	}
	// Before: the job dies with the terminal unless rescued (the logout
	// matrix shows it for every row here); it has the terminal on fd 1.
	if link, _ := os.Readlink(fmt.Sprintf("/proc/%d/fd/2", j.pid)); !strings.HasPrefix(link, "/dev/pts/") {
		t.Fatalf("the job's stderr is %q; want the terminal", link)
	}

	end := func() {
		if !c.exit {
			sh.Hangup()
			return
		}
		// No Sync before the second exit: a command in between re-arms
		// bash's warning about stopped jobs.
		sh.Send("exit\r")
		if c.fg {
			sh.Expect(refusal, ptytest.Timeout)
			sh.Send("exit\r")
		}
	}
	if c.args == nil { // the control without nohupx
		end()
		sh.Wait(ptytest.Timeout)
		if got, detail := j.verdict(time.Now()); got != dies {
			t.Fatalf("control: the job %s (%s) without nohupx; want it to die, or this test proves nothing", got, detail)
		}
		return
	}
	status, report := runNohupx(t, here, nil, append(c.args, strconv.Itoa(target))...)
	t.Logf("nohupx %s %d: status %d\n%s", strings.Join(c.args, " "), target, status, report)
	if status != c.status {
		t.Fatalf("nohupx %v %d: status %d; want %d", c.args, target, status, c.status)
	}
	for _, w := range c.want {
		if !strings.Contains(report, w) {
			t.Errorf("nohupx's report lacks %q", w)
		}
	}
	lines := 1
	if c.status == 7 {
		lines = 2 // and one that says what may still end it
	}
	if got := strings.Count(report, "\n"); c.group && got < 2 || !c.group && got != lines {
		t.Errorf("nohupx printed %d lines; want %d per process", got, lines)
	}
	ignored := sigIgn(t, j.pid)
	for _, sig := range c.sigs {
		if ignored&sigs.Mask(sig) == 0 {
			t.Errorf("the job does not ignore %v after nohupx (SigIgn %x)", sig, ignored)
		}
	}
	if c.fg {
		// Still stopped: no beat for a while.
		b0, _ := readBeat(beatFile)
		time.Sleep(400 * time.Millisecond)
		if st, _, _ := j.alive(); st.State != 'T' {
			t.Errorf("the stopped job is in state %c after nohupx; want it still stopped", st.State)
		}
		if b, _ := readBeat(beatFile); b != b0 {
			t.Errorf("the stopped job beat on (%v -> %v) after nohupx; want it still stopped", b0, b)
		}
	}

	out := filepath.Join(here, "nohup.out")
	before := lastTick(out)
	end()
	if err := sh.Wait(ptytest.Timeout); !sh.Exited() {
		t.Fatalf("the shell did not end: %v", err)
	}
	gone := time.Now()
	got, detail := j.verdict(gone)
	t.Logf("job %d after the hangup: %s: %s", j.pid, got, detail)
	if c.dies {
		if got != dies {
			t.Fatalf("control: the job %s (%s); want it to die", got, detail)
		}
		return
	}
	if got != survives {
		t.Fatalf("the job %s (%s); want it to survive the hangup after nohupx -p", got, detail)
	}
	if c.group {
		for _, pid := range pipeline {
			if s, err := readStat(pid); err != nil || s.State == 'Z' {
				t.Errorf("pipeline process %d died: %v", pid, err)
			}
		}
	}
	// Its output goes on, into nohup.out.
	deadline := time.Now().Add(10 * time.Second)
	for lastTick(out) < before+3 {
		if time.Now().After(deadline) {
			data, _ := os.ReadFile(out)
			t.Fatalf("no new output in %s after the hangup (last tick %d before); it has:\n%s", out, before, tail(data))
		}
		time.Sleep(50 * time.Millisecond)
	}
	if fi, err := os.Stat(out); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("%s: %v, %v; want mode 0600", out, fi, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "nohup.out")); err == nil {
		t.Errorf("nohup.out was created in the shell's directory; want it in nohupx's")
	}
}

// TestAttachChecksum: a job that keeps computing a checksum in registers
// and on its stack computes it right across many injections, each by a
// separate nohupx run, and then survives the hangup.
func TestAttachChecksum(t *testing.T) {
	acquireCell(t)
	dir, here := t.TempDir(), t.TempDir()
	beatFile := filepath.Join(dir, "beat")
	sh := ptytest.Bash(t, dir)
	sh.Sync()
	sh.Send(shellQuote(testbin.Program(t, "./testdata/checksum", "checksum")) + " " + shellQuote(beatFile) + " & echo BANG$!\r")
	sh.Expect(regexp.MustCompile(`BANG(\d+)`), ptytest.Timeout)
	j := waitStart(t, beatFile, 0)
	j.settle()
	sh.Sync()
	out := filepath.Join(here, "nohup.out")

	status, report := runNohupx(t, here, nil, "-p", "-a", strconv.Itoa(j.pid))
	if status != 0 || !strings.Contains(report, "stdout and stderr appended to 'nohup.out'") {
		t.Fatalf("nohupx -p -a: status %d, %q", status, report)
	}
	// Each run sets one more signal to SIG_IGN in it: a query and a set,
	// with the job caught wherever it is in its loop.
	for sig := 40; sig < 52; sig++ {
		status, report := runNohupx(t, here, nil, "-p", "-a", "--ignore="+strconv.Itoa(sig), strconv.Itoa(j.pid))
		if status != 0 || !strings.Contains(report, "now ignores "+strconv.Itoa(sig)) {
			t.Fatalf("nohupx --ignore=%d: status %d, %q", sig, status, report)
		}
	}
	before := lastOK(t, out)
	sh.Hangup()
	sh.Wait(ptytest.Timeout)
	if got, detail := j.verdict(time.Now()); got != survives {
		t.Fatalf("the checksum job %s (%s); want it to survive", got, detail)
	}
	deadline := time.Now().Add(10 * time.Second)
	for lastOK(t, out) < before+10 {
		if time.Now().After(deadline) {
			t.Fatalf("the checksum job stopped reporting in %s", out)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestAttachOtherUsersJob: root rescues a job of another user (nobody).
// That process may not reopen root's pipe to the relay, so it opens the
// output file itself; with the default nohup.out in a directory it cannot
// enter, the change fails halfway and is undone.
func TestAttachOtherUsersJob(t *testing.T) {
	acquireCell(t)
	testbin.NeedRoot(t, "to run the job as nobody")
	setpriv := testbin.Need(t, "setpriv")
	dir := t.TempDir()
	pub, err := os.MkdirTemp("", "nohupx-pub-") // t.TempDir's parent is private
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(pub) })
	os.Chmod(pub, 0o777|os.ModeSticky) // like /tmp: sticky, so that root's relay may rotate there
	beatFile := filepath.Join(pub, "beat")
	sh := ptytest.Bash(t, dir)
	sh.Sync()
	sh.Send(shellQuote(setpriv) + " --reuid=65534 --regid=65534 --clear-groups sh " +
		shellQuote(testdataPath(t, "writer.sh")) + " " + shellQuote(beatFile) + " & echo BANG$!\r")
	sh.Expect(regexp.MustCompile(`BANG(\d+)`), ptytest.Timeout)
	j := waitStart(t, beatFile, 0)
	j.settle()
	sh.Sync()
	ign := sigIgn(t, j.pid)

	// nohup.out in a directory of root's: the job cannot open it.
	here := t.TempDir()
	status, report := runNohupx(t, here, nil, "-p", strconv.Itoa(j.pid))
	t.Logf("default output: status %d: %s", status, report)
	if status != 5 || !strings.Contains(report, "Permission denied (name an output file that uid 65534 may create or write)") ||
		!strings.Contains(report, "nothing was changed") {
		t.Errorf("nohupx -p (job of nobody, nohup.out in root's directory): status %d; want 5, the reason, 'nothing was changed'", status)
	}
	if got := sigIgn(t, j.pid); got != ign {
		t.Errorf("the failed change left SigIgn %x; want %x as before", got, ign)
	}
	if link, _ := os.Readlink(fmt.Sprintf("/proc/%d/fd/1", j.pid)); !strings.HasPrefix(link, "/dev/pts/") {
		t.Errorf("the failed change left fd 1 on %q; want the terminal still", link)
	}

	// An output file the job may write: nohupx creates it and gives it
	// to the job's owner, and the job appends to it itself.
	log := filepath.Join(pub, "job.log")
	status, report = runNohupx(t, here, nil, "-p", "--output", log, strconv.Itoa(j.pid))
	t.Logf("--output: status %d: %s", status, report)
	if status != 0 || !strings.Contains(report, "stdout and stderr appended to '"+log+"' (not rotated: it cannot reopen nohupx's pipe") {
		t.Fatalf("nohupx -p --output: status %d; want 0, appended and not rotated", status)
	}
	var sb unix.Stat_t
	if err := unix.Stat(log, &sb); err != nil || sb.Uid != 65534 || sb.Mode&0o777 != 0o600 {
		t.Errorf("%s: uid %d mode %o, %v; want the job's owner's, 0600", log, sb.Uid, sb.Mode&0o777, err)
	}
	before := lastTick(log)
	sh.Hangup()
	sh.Wait(ptytest.Timeout)
	if got, detail := j.verdict(time.Now()); got != survives {
		t.Fatalf("the job %s (%s); want it to survive", got, detail)
	}
	deadline := time.Now().Add(10 * time.Second)
	for lastTick(log) < before+3 {
		if time.Now().After(deadline) {
			t.Fatalf("no new output in %s after the hangup", log)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestAttachFailures: the error paths, each with its own status, and one
// target's failure does not stop the others.
func TestAttachFailures(t *testing.T) {
	t.Parallel()
	here := t.TempDir()
	gone := deadPid(t)

	t.Run("no_such_process", func(t *testing.T) {
		status, report := runNohupx(t, here, nil, "-p", strconv.Itoa(gone))
		if status != 1 || report != fmt.Sprintf("nohupx: %d: no such process\n", gone) {
			t.Errorf("nohupx -p %d: status %d, %q; want 1 and 'no such process'", gone, status, report)
		}
		status, report = runNohupx(t, here, nil, "-g", strconv.Itoa(gone))
		if status != 1 || !strings.Contains(report, "no process is in process group") {
			t.Errorf("nohupx -g %d: status %d, %q; want 1", gone, status, report)
		}
	})

	t.Run("others_go_on", func(t *testing.T) {
		p := startSleeper(t, nil)
		status, report := runNohupx(t, here, nil, "-p", strconv.Itoa(gone), strconv.Itoa(p))
		if status != 1 || !strings.Contains(report, "no such process") || !strings.Contains(report, fmt.Sprintf("%d (sleep): now ignores HUP", p)) {
			t.Errorf("nohupx -p DEAD LIVE: status %d, %q; want 1, and the live one changed", status, report)
		}
	})

	t.Run("usage", func(t *testing.T) {
		status, report := runNohupx(t, here, nil, "-p", "x")
		if status != 125 || !strings.HasPrefix(report, "nohupx: invalid process ID 'x'\nTry 'nohupx --help'") {
			t.Errorf("nohupx -p x: status %d, %q; want 125 and a usage error", status, report)
		}
	})

	t.Run("other_user", func(t *testing.T) {
		testbin.NeedRoot(t, "as the target is root's and nohupx runs as nobody")
		p := startSleeper(t, nil)
		ign := sigIgn(t, p)
		bin := testbin.PublicCopy(t, testbin.Path("nohupx"), "nohupx")
		status, report := runNohupxBin(t, bin, os.TempDir(), &syscall.Credential{Uid: 65534, Gid: 65534}, "-p", strconv.Itoa(p))
		t.Logf("as nobody: status %d: %s", status, report)
		if status != 3 {
			t.Errorf("nohupx -p (as nobody, target root's): status %d; want 3 (not permitted)", status)
		}
		for _, w := range []string{"not permitted", "uid 0", "uid 65534", "CAP_SYS_PTRACE", "to proceed"} {
			if !strings.Contains(report, w) {
				t.Errorf("the report lacks %q", w)
			}
		}
		if got := sigIgn(t, p); got != ign {
			t.Errorf("the target's SigIgn changed from %x to %x", ign, got)
		}
	})

	t.Run("traced", func(t *testing.T) {
		p := startSleeper(t, nil)
		release := traceWith(t, p)
		status, report := runNohupx(t, here, nil, "-p", strconv.Itoa(p))
		release()
		if status != 2 || !strings.Contains(report, "already traced") || !strings.Contains(report, fmt.Sprintf("process %d", os.Getpid())) {
			t.Errorf("nohupx -p (traced by %d): status %d, %q; want 2, naming the tracer", os.Getpid(), status, report)
		}
	})

	t.Run("traced_by_strace", func(t *testing.T) {
		strace := testbin.Need(t, "strace")
		p := startSleeper(t, nil)
		tr := exec.Command(strace, "-qq", "-o", "/dev/null", "-p", strconv.Itoa(p))
		if err := tr.Start(); err != nil {
			t.Fatal(err)
		}
		defer func() { tr.Process.Kill(); tr.Wait() }()
		deadline := time.Now().Add(10 * time.Second)
		for tracerOf(p) == 0 {
			if time.Now().After(deadline) {
				t.Fatal("strace did not attach")
			}
			time.Sleep(10 * time.Millisecond)
		}
		status, report := runNohupx(t, here, nil, "-p", strconv.Itoa(p))
		if status != 2 || !strings.Contains(report, "(strace) is tracing it") {
			t.Errorf("nohupx -p (under strace): status %d, %q; want 2, naming strace", status, report)
		}
	})
}

// runNohupx runs the nohupx binary in dir (so that nohup.out lands there)
// and returns its status and stderr. Its stdout must stay empty.
func runNohupx(t *testing.T, dir string, cred *syscall.Credential, args ...string) (int, string) {
	t.Helper()
	return runNohupxBin(t, testbin.Path("nohupx"), dir, cred, args...)
}

func runNohupxBin(t *testing.T, bin, dir string, cred *syscall.Credential, args ...string) (int, string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Args[0] = "nohupx"
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if _, ok := err.(*exec.ExitError); err != nil && !ok {
		t.Fatalf("run nohupx: %v", err)
	}
	if stdout.Len() > 0 {
		t.Errorf("nohupx wrote %q to stdout; want its report on stderr only", stdout.String())
	}
	return cmd.ProcessState.ExitCode(), stderr.String()
}

// startSleeper starts `sleep 300` in a process group of its own, killed
// at the end of the test.
func startSleeper(t *testing.T, cred *syscall.Credential) int {
	t.Helper()
	cmd := exec.Command("sleep", "300")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Credential: cred}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd.Process.Pid
}

// deadPid is the pid of a process that has exited and been reaped.
func deadPid(t *testing.T) int {
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	return cmd.Process.Pid
}

// traceWith makes this test process the tracer of pid (PTRACE_SEIZE, from
// a locked thread) until release is called.
func traceWith(t *testing.T, pid int) (release func()) {
	seized := make(chan error)
	done := make(chan struct{})
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		_, _, e := unix.Syscall6(unix.SYS_PTRACE, unix.PTRACE_SEIZE, uintptr(pid), 0, 0, 0, 0)
		if e != 0 {
			seized <- e
			return
		}
		seized <- nil
		<-done
		// A running tracee cannot be detached: stop it, then let go.
		unix.Syscall6(unix.SYS_PTRACE, unix.PTRACE_INTERRUPT, uintptr(pid), 0, 0, 0, 0)
		var ws unix.WaitStatus
		unix.Wait4(pid, &ws, unix.WALL, nil)
		unix.Syscall6(unix.SYS_PTRACE, unix.PTRACE_DETACH, uintptr(pid), 0, 0, 0, 0)
		close(seized)
	}()
	if err := <-seized; err != nil {
		t.Fatalf("PTRACE_SEIZE %d: %v", pid, err)
	}
	return func() { close(done); <-seized }
}

func tracerOf(pid int) int {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "TracerPid:"); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(v))
			return n
		}
	}
	return 0
}

func sigIgn(t *testing.T, pid int) uint64 {
	t.Helper()
	st, err := procfs.ReadStatus(pid)
	if err != nil {
		t.Fatal(err)
	}
	return st.SigIgn
}

func threads(pid int) int {
	e, _ := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	return len(e)
}

// groupMembers lists the live processes of a process group.
func groupMembers(pgid int) []int {
	var pids []int
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if st, err := readStat(pid); err == nil && st.PGRP == pgid && st.State != 'Z' {
			pids = append(pids, pid)
		}
	}
	return pids
}

// childrenIn lists the live members of process group pgid whose parent is
// ppid.
func childrenIn(pgid, ppid int) []int {
	var pids []int
	for _, pid := range groupMembers(pgid) {
		if st, err := readStat(pid); err == nil && st.PPID == ppid {
			pids = append(pids, pid)
		}
	}
	return pids
}

var tickRE = regexp.MustCompile(`(?m)^tick (\d+)$`)

// lastTick is the highest "tick N" in the file, 0 if none.
func lastTick(path string) int {
	data, _ := os.ReadFile(path)
	n := 0
	for _, m := range tickRE.FindAllSubmatch(data, -1) {
		if v, _ := strconv.Atoi(string(m[1])); v > n {
			n = v
		}
	}
	return n
}

var okRE = regexp.MustCompile(`(?m)^OK (\d+)$`)

// lastOK is the last round the checksum job reported, failing the test on
// any BAD line.
func lastOK(t *testing.T, path string) int {
	t.Helper()
	data, _ := os.ReadFile(path)
	if i := bytes.Index(data, []byte("BAD")); i >= 0 {
		t.Fatalf("the checksum job reported a wrong round: %s", bytes.SplitN(data[i:], []byte("\n"), 2)[0])
	}
	n := 0
	for _, m := range okRE.FindAllSubmatch(data, -1) {
		if v, _ := strconv.Atoi(string(m[1])); v > n {
			n = v
		}
	}
	return n
}

func tail(b []byte) string {
	if len(b) > 1000 {
		b = b[len(b)-1000:]
	}
	return string(b)
}

// TestAttachGroupForking: a member of the group forks while nohupx -g
// works through the others. A child forked before its parent was changed
// is not protected by inheritance and was not in the first listing; nohupx
// must list the group again until every member is protected. The forking
// subshell is started last, so that its pid sorts after thirty sleeps and
// it forks all the while those are changed.
func TestAttachGroupForking(t *testing.T) {
	script := `i=0; while [ $i -lt 30 ]; do sleep 1000 & i=$((i+1)); done
( i=0; while [ $i -lt 300 ]; do sleep 1000 & i=$((i+1)); done ) &
wait`
	cmd := exec.Command("sh", "-c", script)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pgid := cmd.Process.Pid
	t.Cleanup(func() { syscall.Kill(-pgid, syscall.SIGKILL); cmd.Wait() })
	for deadline := time.Now().Add(10 * time.Second); len(groupMembers(pgid)) < 40; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the job has %d processes after 10s; want it forking", len(groupMembers(pgid)))
		}
	}
	if status, report := runNohupx(t, t.TempDir(), nil, "-g", "-q", strconv.Itoa(pgid)); status != 0 {
		t.Fatalf("nohupx -g: status %d, %q", status, report)
	}
	// 1 shell + 30 sleeps + the subshell's 300 (the subshell then exits).
	for deadline := time.Now().Add(20 * time.Second); len(groupMembers(pgid)) != 331; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the job has %d processes after 20s; want 331", len(groupMembers(pgid)))
		}
	}
	var bare []int
	for _, pid := range groupMembers(pgid) {
		if sigIgn(t, pid)&sigs.Mask(syscall.SIGHUP) == 0 {
			bare = append(bare, pid)
		}
	}
	if len(bare) > 0 {
		t.Errorf("%d of the job's processes do not ignore HUP after nohupx -g: %v", len(bare), bare)
	}
}
