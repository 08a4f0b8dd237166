//go:build linux

package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nohupx/nohupx/internal/ptytest"
	"github.com/nohupx/nohupx/internal/testbin"
	"github.com/nohupx/nohupx/jobs"
	"github.com/nohupx/nohupx/logrot"
)

// records is one user's job record directory and what the tests run
// against it: the built binary, with XDG_STATE_HOME pointing there.
type records struct {
	t     *testing.T
	state string
}

func newRecords(t *testing.T) records {
	return records{t: t, state: t.TempDir()}
}

func (r records) env() []string {
	return append(os.Environ(), "XDG_STATE_HOME="+r.state)
}

// run runs an applet of the built binary to its end.
func (r records) run(applet string, args ...string) (code int, stdout, stderr string) {
	r.t.Helper()
	cmd := exec.Command(testbin.Path(applet), args...)
	cmd.Env = r.env()
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code = cmd.ProcessState.ExitCode()
	if err != nil && code < 0 {
		r.t.Fatalf("%s %q: %v", applet, args, err)
	}
	return code, out.String(), errb.String()
}

// list is --jobs --json, one View per line.
func (r records) list() []jobs.View {
	r.t.Helper()
	code, out, errOut := r.run("nohupx", "--jobs", "--json")
	if code != 0 || errOut != "" {
		r.t.Fatalf("--jobs --json = %d, stderr %q", code, errOut)
	}
	var views []jobs.View
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var v jobs.View
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			r.t.Fatalf("--jobs --json line %q: %v", sc.Text(), err)
		}
		views = append(views, v)
	}
	return views
}

// only is the one job recorded, once it is.
func (r records) only() jobs.View {
	r.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		views := r.list()
		if len(views) == 1 {
			return views[0]
		}
		if len(views) > 1 || time.Now().After(deadline) {
			r.t.Fatalf("%d jobs recorded; want 1: %+v", len(views), views)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// eventually waits up to 10 s for cond.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("after 10 s: %s", what)
		}
	}
}

// TestDetachJobStatus: a detach job that prints and exits 7 is listed with
// status 7 and its output file; --wait returns 7; --log prints the output.
func TestDetachJobStatus(t *testing.T) {
	r := newRecords(t)
	out := filepath.Join(t.TempDir(), "job.out")
	if code, _, errOut := r.run("detach", "-o", out, "sh", "-c", "echo first; sleep 0.3; echo last; exit 7"); code != 0 {
		t.Fatalf("detach = %d %q", code, errOut)
	}
	v := r.only()
	if code, _, errOut := r.run("nohupx", "--wait="+v.ID); code != 7 {
		t.Errorf("--wait=%s = %d %q; want 7", v.ID, code, errOut)
	}
	v = r.only()
	if v.State != jobs.Exited || v.ExitStatus == nil || *v.ExitStatus != 7 || v.Output == nil || *v.Output != out || v.Ended == nil {
		t.Errorf("--jobs --json after the end: %+v; want exited, status 7, output %s, an end time", v, out)
	}
	if code, got, errOut := r.run("nohupx", "--log="+strconv.Itoa(v.Pid)); code != 0 || got != "first\nlast\n" {
		t.Errorf("--log=PID = %d %q %q; want the job's two lines", code, got, errOut)
	}
	if code, _, errOut := r.run("nohupx", "--kill="+v.ID); code != 125 || !strings.Contains(errOut, "has ended") {
		t.Errorf("--kill of an ended job = %d %q; want 125 and a refusal", code, errOut)
	}
}

// TestKillNohupxJob: a nohupx job that leads its own process group (as `&`
// under job control makes it) is listed running under its pid ($!);
// --kill signals the whole group; the job is then listed as ended, with a
// status that says why it is unknown.
func TestKillNohupxJob(t *testing.T) {
	r := newRecords(t)
	dir := t.TempDir()
	out, child := filepath.Join(dir, "job.out"), filepath.Join(dir, "child.pid")
	cmd := exec.Command(testbin.Path("nohupx"), "--all-stdio", "-o", out,
		"sh", "-c", `sleep 100 & echo $! > "$0"; wait`, child)
	cmd.Env = r.env()
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	eventually(t, "the job's child started", func() bool { _, err := os.Stat(child); return err == nil })
	v := r.only()
	if v.Pid != cmd.Process.Pid || v.State != jobs.Running || v.Pgid != v.Pid {
		t.Fatalf("listed %+v; want pid %d ($!) running, leading its group", v, cmd.Process.Pid)
	}
	if code, _, errOut := r.run("nohupx", "--kill="+v.ID); code != 0 || !strings.Contains(errOut, "process group") {
		t.Fatalf("--kill = %d %q; want 0, the group signalled", code, errOut)
	}
	err := cmd.Wait()
	if ws, _ := cmd.ProcessState.Sys().(syscall.WaitStatus); !ws.Signaled() || ws.Signal() != syscall.SIGTERM {
		t.Errorf("the job ended with %v; want SIGTERM", err)
	}
	data, _ := os.ReadFile(child)
	pid, _ := strconv.Atoi(strings.TrimSpace(string(data)))
	eventually(t, "the job's child got the group's SIGTERM too", func() bool {
		st, err := readStat(pid)
		return err != nil || st.State == 'Z'
	})
	v = r.only()
	if v.State == jobs.Running || v.State == jobs.Stopped || v.Unknown == "" {
		t.Errorf("after --kill: %+v; want it ended, its status unknown and why", v)
	}
	if code, _, errOut := r.run("nohupx", "--wait="+v.ID); code != 125 || !strings.Contains(errOut, "exit status is unknown") {
		t.Errorf("--wait of a nohupx job = %d %q; want 125 and why", code, errOut)
	}
}

// TestLogAcrossRotations: a job rotating at 1M, compressed: --log prints
// every line once and in order; --follow, started while the job runs, ends
// on its own with the job's last line, without a gap or a repeat. Each
// burst (about 2.1M) rotates the file twice or more between two looks of
// --follow, so the backups in between must be read by name.
func TestLogAcrossRotations(t *testing.T) {
	r := newRecords(t)
	out := filepath.Join(t.TempDir(), "job.out")
	const script = `for i in 1 2 3; do seq $((i*300000-299999)) $((i*300000)); sleep 0.3; done`
	cmd := exec.Command(testbin.Path("nohupx"), "--all-stdio", "-o", out, "--max-size=1M", "--keep=0", "--compress", "sh", "-c", script)
	cmd.Env = r.env()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	v := r.only()
	eventually(t, "the first backup", func() bool {
		b, _ := filepath.Glob(out[:len(out)-4] + "-*")
		return len(b) > 0
	})
	follow := exec.Command(testbin.Path("nohupx"), "--log="+v.ID, "--follow", "--lines=3")
	follow.Env = r.env()
	var followed bytes.Buffer
	follow.Stdout = &followed
	if err := follow.Start(); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("job: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- follow.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("--follow: %v", err)
		}
	case <-time.After(20 * time.Second):
		follow.Process.Kill()
		t.Fatal("--follow did not end after the job did")
	}
	lines := strings.Split(strings.TrimSuffix(followed.String(), "\n"), "\n")
	first, _ := strconv.Atoi(lines[0])
	if first <= 1 || !isSeq(lines, first, 900000) {
		t.Errorf("--follow printed %d lines from %q to %q; want a run without gaps or repeats, from mid-job to 900000",
			len(lines), lines[0], lines[len(lines)-1])
	}
	code, all, errOut := r.run("nohupx", "--log="+v.ID)
	if code != 0 || !isSeq(strings.Split(strings.TrimSuffix(all, "\n"), "\n"), 1, 900000) {
		t.Errorf("--log = %d (stderr %q); want 1 to 900000 once each", code, errOut)
	}
	if gz, _ := filepath.Glob(out[:len(out)-4] + "-*.gz"); len(gz) == 0 {
		t.Error("no compressed backup: the test did not read through gzip")
	}
}

func isSeq(lines []string, from, to int) bool {
	if len(lines) != to-from+1 {
		return false
	}
	for i, l := range lines {
		if l != strconv.Itoa(from+i) {
			return false
		}
	}
	return true
}

// TestJobsAfterHangup: jobs started in an interactive bash that then dies
// of a hangup are found, read and waited for from another shell.
func TestJobsAfterHangup(t *testing.T) {
	r := newRecords(t)
	dir := t.TempDir()
	term := ptytest.Bash(t, dir, "XDG_STATE_HOME="+r.state)
	term.Send(fmt.Sprintf("%s sh -c 'echo started; sleep 1; echo finished' &\r", testbin.Path("nohupx")))
	term.Expect(regexp.MustCompile(`job [a-z2-9]+ \(see nohupx --jobs`), ptytest.Timeout)
	term.Sync()
	term.Send(fmt.Sprintf("%s -o %s sh -c 'echo daemon; sleep 1; exit 3'\r", testbin.Path("detach"), filepath.Join(dir, "d.out")))
	term.Sync()
	term.Hangup()
	if err := term.Wait(10 * time.Second); err == nil {
		t.Log("bash exited 0 after the hangup")
	}
	views := r.list()
	if len(views) != 2 {
		t.Fatalf("%d jobs recorded; want 2", len(views))
	}
	for _, v := range views {
		if v.By == "nohupx" {
			if code, _, errOut := r.run("nohupx", "--wait="+v.ID); code != 125 || !strings.Contains(errOut, "unknown") {
				t.Errorf("--wait on the nohupx job = %d %q; want 125, status unknown", code, errOut)
			}
			if code, got, _ := r.run("nohupx", "--log="+v.ID); code != 0 || got != "started\nfinished\n" {
				t.Errorf("--log on the nohupx job = %d %q", code, got)
			}
			continue
		}
		if code, _, errOut := r.run("nohupx", "--wait="+v.ID); code != 3 {
			t.Errorf("--wait on the detach job = %d %q; want 3", code, errOut)
		}
		if code, got, _ := r.run("nohupx", "--log="+v.ID); code != 0 || got != "daemon\n" {
			t.Errorf("--log on the detach job = %d %q", code, got)
		}
	}
}

// TestNoticeWithoutOutput: the notice that names a job offers --log only
// when the job's output goes to a file --log can read; a job whose output
// goes down a pipe gets the id and --jobs alone.
func TestNoticeWithoutOutput(t *testing.T) {
	r := newRecords(t)
	term := ptytest.Bash(t, t.TempDir(), "XDG_STATE_HOME="+r.state)
	term.Send(fmt.Sprintf("%s sh -c 'echo piped' | cat\r", testbin.Path("nohupx")))
	term.Expect(regexp.MustCompile(`job [a-z2-9]+ \(see nohupx --jobs\)\r?\n`), ptytest.Timeout)
	term.Expect(regexp.MustCompile(`piped`), ptytest.Timeout)
	// --no-rotate: no relay, which could outlive the test's directory.
	term.Send(fmt.Sprintf("%s --no-rotate sh -c 'echo filed'\r", testbin.Path("nohupx")))
	term.Expect(regexp.MustCompile(`job [a-z2-9]+ \(see nohupx --jobs; read its output with nohupx --log=[a-z2-9]+\)`), ptytest.Timeout)
	term.Sync()
}

// TestConcurrentLaunches: 100 launches at once leave 100 whole records,
// each under the pid it ran as.
func TestConcurrentLaunches(t *testing.T) {
	r := newRecords(t)
	dir := t.TempDir()
	const n = 100
	pids := make(chan int, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			cmd := exec.Command(testbin.Path("nohupx"), "--all-stdio", "-o", filepath.Join(dir, fmt.Sprint(i)), "true")
			cmd.Env = r.env()
			var errb bytes.Buffer
			cmd.Stderr = &errb
			if err := cmd.Run(); err != nil || strings.Contains(errb.String(), "warning") {
				t.Errorf("launch %d: %v %q", i, err, errb.String())
			}
			pids <- cmd.Process.Pid
		}(i)
	}
	wg.Wait()
	close(pids)
	want := map[int]bool{}
	for pid := range pids {
		want[pid] = true
	}
	views := r.list()
	ids := map[string]bool{}
	for _, v := range views {
		if !want[v.Pid] || ids[v.ID] || len(v.Command) != 1 {
			t.Errorf("record %+v: not one of the launches, or a repeated id", v)
		}
		ids[v.ID] = true
	}
	if len(views) != n {
		t.Errorf("%d records; want %d", len(views), n)
	}
	files, _ := filepath.Glob(filepath.Join(r.state, "nohupx", "jobs", "*"))
	if len(files) != n {
		t.Errorf("%d files in the record directory; want %d", len(files), n)
	}
	// Before the temporary directory goes: a relay still running would
	// make its removed output file again.
	for _, v := range views {
		if code, _, errOut := r.run("nohupx", "--wait="+v.ID); code != 125 {
			t.Errorf("--wait=%s = %d %q; want 125 (a nohupx job's status is unknown)", v.ID, code, errOut)
		}
	}
}

// TestOnExit: --on-exit runs once the job has ended, with the job in its
// environment; its failure is recorded.
func TestOnExit(t *testing.T) {
	r := newRecords(t)
	dir := t.TempDir()
	envFile, status := filepath.Join(dir, "env"), filepath.Join(dir, "status")
	out := filepath.Join(dir, "job.out")
	if code, _, errOut := r.run("nohupx", "--all-stdio", "-o", out,
		"--on-exit=env | grep ^NOHUPX_JOB_ | sort > "+envFile, "sh", "-c", "echo x"); code != 0 {
		t.Fatalf("nohupx = %d %q", code, errOut)
	}
	if code, _, errOut := r.run("detach", "--on-exit=echo $NOHUPX_JOB_STATUS > "+status+"; echo oops >&2; exit 9",
		"sh", "-c", "exit 4"); code != 0 {
		t.Fatalf("detach = %d %q", code, errOut)
	}
	eventually(t, "both --on-exit commands ran", func() bool {
		a, _ := os.ReadFile(envFile)
		b, _ := os.ReadFile(status)
		return len(a) > 0 && len(b) > 0
	})
	env, _ := os.ReadFile(envFile)
	for _, want := range []string{"NOHUPX_JOB_OUTPUT=" + out, "NOHUPX_JOB_STATUS=unknown", "NOHUPX_JOB_COMMAND=sh -c 'echo x'"} {
		if !strings.Contains(string(env), want+"\n") {
			t.Errorf("--on-exit's environment:\n%s\nwant %s", env, want)
		}
	}
	if got, _ := os.ReadFile(status); string(got) != "4\n" {
		t.Errorf("detach's --on-exit saw status %q; want 4", got)
	}
	eventually(t, "the failed --on-exit recorded", func() bool {
		for _, v := range r.list() {
			if v.By == "detach" && v.OnExitOK != nil {
				return !*v.OnExitOK
			}
		}
		return false
	})
}

// TestDetachOnExitOutput: with the output behind relays (-o, --stderr),
// detach's --on-exit runs once the job has ended and all its output, both
// relays', is on disk, and nohupx --wait and detach --wait return: the
// session stage, which waits for the relays, must hold no copy of their
// pipes, nor may detach --wait while it waits for the stage. The stderr
// relay is stopped for a while to prove that --on-exit waits for it too.
func TestDetachOnExitOutput(t *testing.T) {
	for _, tc := range []struct {
		name       string
		wait       bool // detach -w rather than -p and nohupx --wait
		stderr     bool // --stderr to a file of its own
		stopStderr bool // stop the stderr relay until the job has ended
	}{
		{name: "-o"},
		{name: "-o -w", wait: true},
		{name: "-o --stderr", stderr: true},
		{name: "-o --stderr -w", wait: true, stderr: true},
		{name: "-o --stderr, its relay late", stderr: true, stopStderr: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRecords(t)
			dir := t.TempDir()
			out, errFile, seen, start := filepath.Join(dir, "out"), filepath.Join(dir, "err"), filepath.Join(dir, "seen"), filepath.Join(dir, "start")
			args := []string{"-o", out}
			want := "out\nerr\n"
			if tc.stderr {
				args = append(args, "--stderr", errFile)
				want = "out\n--\nerr\n"
			}
			onExit := "cat " + out + " > " + seen
			if tc.stderr {
				onExit = "{ cat " + out + "; echo --; cat " + errFile + "; } > " + seen
			}
			args = append(args, "--on-exit="+onExit)
			if tc.wait {
				args = append(args, "-w")
			} else {
				args = append(args, "-p")
			}
			// The job writes once it is recorded and, if need be, its
			// stderr relay stopped (start).
			args = append(args, "sh", "-c", `while [ ! -e "$0" ]; do sleep 0.02; done; echo out; echo err >&2; exit 3`, start)
			cmd := exec.Command(testbin.Path("detach"), args...)
			cmd.Env = r.env()
			var errb bytes.Buffer
			cmd.Stderr = &errb
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			if v := r.only(); v.Pgid > 1 {
				// A stage stuck on the relays' pipes would outlive the
				// test, and them with it.
				t.Cleanup(func() {
					if t.Failed() {
						syscall.Kill(-v.Pgid, syscall.SIGKILL)
					}
				})
			}
			var stopped int
			if tc.stopStderr {
				eventually(t, "the stderr relay runs", func() bool {
					pids, err := logrot.FindRelays(errFile)
					if err != nil || len(pids) != 1 {
						return false
					}
					stopped = pids[0]
					return true
				})
				if err := syscall.Kill(stopped, syscall.SIGSTOP); err != nil {
					t.Fatal(err)
				}
				defer syscall.Kill(stopped, syscall.SIGCONT)
			}
			if err := os.WriteFile(start, nil, 0o600); err != nil {
				t.Fatal(err)
			}
			select {
			case err := <-done:
				code := cmd.ProcessState.ExitCode()
				if wantCode := map[bool]int{true: 3, false: 0}[tc.wait]; code != wantCode {
					t.Fatalf("detach = %d (%v) %q; want %d", code, err, errb.String(), wantCode)
				}
			case <-time.After(10 * time.Second):
				cmd.Process.Kill()
				t.Fatalf("detach %q still running after 10 s", args)
			}
			v := r.only()
			if tc.stopStderr {
				eventually(t, "the job ended", func() bool { return r.only().State == jobs.Exited })
				time.Sleep(500 * time.Millisecond)
				if got, err := os.ReadFile(seen); err == nil {
					t.Errorf("--on-exit ran before the stderr relay wrote the job's output; it saw %q", got)
				}
				syscall.Kill(stopped, syscall.SIGCONT)
			}
			if !tc.wait {
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				w := exec.CommandContext(ctx, testbin.Path("nohupx"), "--wait="+v.ID)
				w.Env = r.env()
				if outb, err := w.CombinedOutput(); w.ProcessState.ExitCode() != 3 {
					t.Fatalf("nohupx --wait=%s = %v %q; want 3 within 10 s", v.ID, err, outb)
				}
			}
			eventually(t, "--on-exit ran", func() bool { _, err := os.Stat(seen); return err == nil })
			eventually(t, "--on-exit recorded", func() bool { v := r.only(); return v.OnExitOK != nil })
			if got, _ := os.ReadFile(seen); string(got) != want {
				t.Errorf("--on-exit saw %q; want %q", got, want)
			}
			if v := r.only(); !*v.OnExitOK {
				t.Errorf("--on-exit recorded as failed: %+v", v)
			}
		})
	}
}

// TestAdoptedJob: a running process that nohupx -p changed is recorded,
// under its own pid and command line, and --kill can reach it.
func TestAdoptedJob(t *testing.T) {
	r := newRecords(t)
	sleep := exec.Command("sleep", "30")
	sleep.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := sleep.Start(); err != nil {
		t.Fatal(err)
	}
	defer sleep.Process.Kill()
	if code, _, errOut := r.run("nohupx", "-p", strconv.Itoa(sleep.Process.Pid)); code != 0 {
		t.Fatalf("nohupx -p = %d %q", code, errOut)
	}
	v := r.only()
	if v.Pid != sleep.Process.Pid || v.By != "nohupx -p" || v.State != jobs.Running || strings.Join(v.Command, " ") != "sleep 30" {
		t.Fatalf("recorded %+v; want the sleep, running, by nohupx -p", v)
	}
	if code, _, errOut := r.run("nohupx", "--kill="+v.ID, "--signal=KILL"); code != 0 {
		t.Fatalf("--kill = %d %q", code, errOut)
	}
	if err := sleep.Wait(); err == nil || !strings.Contains(err.Error(), "killed") {
		t.Errorf("the adopted job ended with %v; want SIGKILL", err)
	}
}

// TestRecordFailsSoft: when the record cannot be written, the job runs and
// its output is kept, after one warning line; the reading options say
// what is wrong in one line and exit 125.
func TestRecordFailsSoft(t *testing.T) {
	r := newRecords(t)
	// A file where the record directory's parent should be.
	if err := os.WriteFile(filepath.Join(r.state, "nohupx"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "job.out")
	code, _, errOut := r.run("nohupx", "--all-stdio", "-o", out, "sh", "-c", "echo ran")
	if code != 0 || strings.Count(errOut, "warning: job not recorded") != 1 {
		t.Errorf("nohupx with no record = %d %q; want 0 and one warning", code, errOut)
	}
	code, _, errOut = r.run("detach", "-w", "-o", out, "sh", "-c", "echo ran too")
	if code != 0 || strings.Count(errOut, "warning: job not recorded") != 1 {
		t.Errorf("detach with no record = %d %q; want 0 and one warning", code, errOut)
	}
	// Two jobs, two relays: which writes first is not promised, only that
	// both lines are kept, once each.
	eventually(t, "both outputs kept", func() bool {
		b, _ := os.ReadFile(out)
		lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
		slices.Sort(lines)
		return slices.Equal(lines, []string{"ran", "ran too"})
	})
	for _, args := range [][]string{{"--jobs"}, {"--wait=abcd"}, {"--log=1"}, {"--kill=1"}} {
		code, stdout, errOut := r.run("nohupx", args...)
		if code != 125 || stdout != "" || strings.Count(errOut, "\n") != 1 {
			t.Errorf("nohupx %s = %d %q %q; want 125 and one line", args, code, stdout, errOut)
		}
	}
}

// TestForeignRecordDirectory: a record directory that is not the user's
// own is neither read nor written.
func TestForeignRecordDirectory(t *testing.T) {
	testbin.NeedRoot(t, "to give the record directory to another user")
	r := newRecords(t)
	dir := filepath.Join(r.state, "nohupx", "jobs")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(dir, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := r.run("nohupx", "--jobs")
	if code != 125 || !strings.Contains(errOut, "not a directory of this user") {
		t.Errorf("--jobs = %d %q; want 125 and why", code, errOut)
	}
	// --no-rotate: no relay. Nothing here could wait for one (--wait
	// needs the record), and a relay still running when the test removes
	// its temporary directory makes the live file again, as it does for
	// any output file removed under it: the removal then fails.
	code, _, errOut = r.run("nohupx", "--no-rotate", "--all-stdio", "-o", filepath.Join(t.TempDir(), "out"), "true")
	if code != 0 || !strings.Contains(errOut, "warning: job not recorded") {
		t.Errorf("nohupx = %d %q; want 0 and a warning", code, errOut)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("%d files written into another user's directory", len(ents))
	}
}

// TestKillStoppedDetachJob: --kill reaches a stopped detach job (the
// group detach made for it, then SIGCONT), the waiting stage survives the
// group's SIGTERM, and records the signal: --wait returns 128+15.
func TestKillStoppedDetachJob(t *testing.T) {
	r := newRecords(t)
	if code, _, errOut := r.run("detach", "sh", "-c", "sleep 30 & wait"); code != 0 {
		t.Fatalf("detach = %d %q", code, errOut)
	}
	v := r.only()
	if err := syscall.Kill(v.Pid, syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the job listed as stopped", func() bool { return r.only().State == jobs.Stopped })
	if code, _, errOut := r.run("nohupx", "--kill="+v.ID); code != 0 || !strings.Contains(errOut, "process group") {
		t.Fatalf("--kill = %d %q; want the group signalled", code, errOut)
	}
	if code, _, errOut := r.run("nohupx", "--wait="+v.ID); code != 128+15 {
		t.Errorf("--wait = %d %q; want 143", code, errOut)
	}
	if v = r.only(); v.State != jobs.Killed || v.Signal == nil || *v.Signal != "TERM" {
		t.Errorf("listed %+v; want killed by TERM", v)
	}
}

// TestLogPlantedNames: a job of root's writes to a sticky, world-writable
// directory, where another user leaves a FIFO, a symbolic link to a
// secret of root's and a file of their own, all under backup names. The
// record says which file the job started with; --log prints the job's
// output alone, and says once for each planted name why it was skipped.
// A symbolic link put at the live name (as the owner of a directory could)
// is refused in one line, and the secret is never printed.
func TestLogPlantedNames(t *testing.T) {
	testbin.NeedRoot(t, "to be the victim of another user's names")
	for _, launch := range [][]string{{"nohupx", "--all-stdio", "-o"}, {"nohupx", "--no-rotate", "--all-stdio", "-o"}, {"detach", "-o"}} {
		t.Run(strings.Join(launch, " "), func(t *testing.T) {
			r := newRecords(t)
			secret := filepath.Join(t.TempDir(), "secret")
			if err := os.WriteFile(secret, []byte("root's secret\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			if err := os.Chmod(dir, 0o777|os.ModeSticky); err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(dir, "f.log")
			if code, _, errOut := r.run(launch[0], append(launch[1:], out, "sh", "-c", "echo hello")...); code != 0 {
				t.Fatalf("%s = %d %q", launch[0], code, errOut)
			}
			v := r.only()
			r.run("nohupx", "--wait="+v.ID) // until the relay has written all and exited
			checkOutputID(t, r, v.ID, out)
			plantBackups(t, dir, secret)
			code, got, errOut := logWithin(t, r, v.ID)
			if code != 0 || got != "hello\n" || strings.Count(errOut, "\n") != 3 || strings.Count(errOut, "nohupx: warning: skipping '"+dir+"/f-2099-") != 3 {
				t.Errorf("--log = %d %q %q; want 0, the job's line, and one warning for each planted name", code, got, errOut)
			}
			if err := os.Remove(out); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(secret, out); err != nil {
				t.Fatal(err)
			}
			code, got, errOut = logWithin(t, r, v.ID)
			if code != 125 || got != "" || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, "not reading '"+out+"': it is a symbolic link") {
				t.Errorf("--log with a link at the live name = %d %q %q; want 125 and one line", code, got, errOut)
			}
		})
	}
}

// logWithin is --log=id, which must end within 10 s: a FIFO at a name it
// reads must not keep it waiting for a writer.
func logWithin(t *testing.T, r records, id string) (code int, stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, testbin.Path("nohupx"), "--log="+id)
	cmd.Env = r.env()
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); ctx.Err() != nil {
		t.Fatalf("--log still running after 10 s (%v): waiting on a FIFO?", err)
	}
	return cmd.ProcessState.ExitCode(), out.String(), errb.String()
}

// checkOutputID fails unless job id's record names the file out is now.
func checkOutputID(t *testing.T, r records, id, out string) {
	t.Helper()
	s, err := jobs.Open(filepath.Join(r.state, "nohupx", "jobs"), false)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	j, err := s.Get(id)
	var st syscall.Stat_t
	if err != nil || syscall.Stat(out, &st) != nil || j.OutputIno != st.Ino || j.OutputDev != st.Dev {
		t.Errorf("record says output file %d:%d (%v); want %s's, %d:%d", j.OutputDev, j.OutputIno, err, out, st.Dev, st.Ino)
	}
}

// plantBackups leaves in dir, as uid 65534, what f.log's backups would be
// called: a FIFO, a symbolic link to secret and a file.
func plantBackups(t *testing.T, dir, secret string) {
	t.Helper()
	for name, plant := range map[string]func(string) error{
		"f-2099-01-01T00-00-00.000Z.log": func(n string) error { return syscall.Mkfifo(n, 0o666) },
		"f-2099-02-01T00-00-00.000Z.log": func(n string) error { return os.Symlink(secret, n) },
		"f-2099-03-01T00-00-00.000Z.log": func(n string) error { return os.WriteFile(n, []byte("planted\n"), 0o644) },
	} {
		name = filepath.Join(dir, name)
		if err := plant(name); err != nil {
			t.Fatal(err)
		}
		if err := os.Lchown(name, 65534, 65534); err != nil {
			t.Fatal(err)
		}
	}
}
