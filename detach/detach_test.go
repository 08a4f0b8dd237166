package detach_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	detachpkg "github.com/nohupx/nohupx/detach"
	"github.com/nohupx/nohupx/internal/procfs"
	"github.com/nohupx/nohupx/internal/testbin"
	"github.com/nohupx/nohupx/logrot"
)

// detach runs the detach applet and returns its status, stdout and stderr.
func detach(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(testbin.Path("detach"), args...)
	cmd.Args[0] = "detach" // as typed: messages start with argv[0]
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.Run()
	return cmd.ProcessState.ExitCode(), stdout.String(), stderr.String()
}

// daemon starts a long-running command with detach -p and returns its pid;
// it is killed when the test ends.
func daemon(t *testing.T, args ...string) int {
	t.Helper()
	code, out, errOut := detach(t, append([]string{"-p"}, args...)...)
	if code != 0 {
		t.Fatalf("detach %q = %d %q", args, code, errOut)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(out))
	if err != nil {
		t.Fatalf("detach -p printed %q", out)
	}
	t.Cleanup(func() { syscall.Kill(pid, syscall.SIGKILL) })
	return pid
}

func procField(t *testing.T, pid int, field string) string {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			return strings.TrimSpace(v)
		}
	}
	t.Fatalf("no %s in /proc/%d/status", field, pid)
	return ""
}

func procStat(t *testing.T, pid int) procfs.Stat {
	t.Helper()
	st, err := procfs.ReadStat(pid)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func TestStatuses(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "plain"), []byte("data"), 0o644)
	noSuchUser := "detach: --user: no such user \"no-such-user-x\"\nTry 'detach --help' for more information.\n"
	if os.Geteuid() != 0 {
		noSuchUser = "detach: --user: only root can run a command as another user\nTry 'detach --help' for more information.\n"
	}
	tests := []struct {
		name string
		args []string
		code int
		err  string // the whole of stderr, with DIR for dir
	}{
		{"started", []string{"true"}, 0, ""},
		{"not found", []string{"no-such-command"}, 127, "detach: failed to run command 'no-such-command': No such file or directory\n"},
		{"not found by path", []string{"/nonexistent/cmd"}, 127, "detach: failed to run command '/nonexistent/cmd': No such file or directory\n"},
		{"not executable", []string{"DIR/plain"}, 126, "detach: failed to run command 'DIR/plain': Permission denied\n"},
		{"a directory", []string{"DIR"}, 126, "detach: failed to run command 'DIR': Permission denied\n"},
		{"chdir fails", []string{"-C", "DIR/missing", "true"}, 125, "detach: cannot change directory to 'DIR/missing': No such file or directory\n"},
		{"log not writable", []string{"-o", "DIR/missing/log", "true"}, 125, "detach: cannot open 'DIR/missing/log': No such file or directory\n"},
		{"bad option", []string{"--bogus", "true"}, 125, "detach: unrecognized option '--bogus'\nTry 'detach --help' for more information.\n"},
		{"missing operand", nil, 125, "detach: missing operand\nTry 'detach --help' for more information.\n"},
		{"bad umask", []string{"--umask", "999", "true"}, 125, "detach: --umask: invalid mode \"999\": want octal, 0 to 777\nTry 'detach --help' for more information.\n"},
		{"on-exit without a record", []string{"--no-record", "--on-exit", "touch DIR/ran", "true"}, 125, "detach: --on-exit needs the job record, which --no-record turns off\nTry 'detach --help' for more information.\n"},
		{"on-exit without a record, either order", []string{"--on-exit=touch DIR/ran", "--no-rec", "true"}, 125, "detach: --on-exit needs the job record, which --no-record turns off\nTry 'detach --help' for more information.\n"},
		{"timeout without ready", []string{"--timeout", "1s", "true"}, 125, "detach: --timeout goes with --ready\nTry 'detach --help' for more information.\n"},
		{"wait and ready", []string{"-w", "--ready", "true"}, 125, "detach: --wait and --ready go one at a time (--wait returns at the end, --ready once it is ready)\nTry 'detach --help' for more information.\n"},
		{"no such user", []string{"--user", "no-such-user-x", "true"}, 125, noSuchUser},
		{"wait: exit status", []string{"-w", "sh", "-c", "exit 3"}, 3, ""},
		{"wait: signal is 128+n", []string{"-w", "sh", "-c", "kill -TERM $$"}, 143, ""},
		{"wait: not found", []string{"-w", "no-such-command"}, 127, "detach: failed to run command 'no-such-command': No such file or directory\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := make([]string, len(tt.args))
			for i, a := range tt.args {
				args[i] = strings.ReplaceAll(a, "DIR", dir)
			}
			code, out, errOut := detach(t, args...)
			if code != tt.code || strings.ReplaceAll(errOut, dir, "DIR") != tt.err || out != "" {
				t.Errorf("detach %q = %d, stdout %q, stderr %q; want %d and %q", tt.args, code, out, errOut, tt.code, tt.err)
			}
		})
	}
}

// TestDaemonState: the classic sequence, checked on the running daemon.
func TestDaemonState(t *testing.T) {
	extra, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer extra.Close()
	// The caller ignores INT, QUIT and TERM (as a shell does for `cmd &`)
	// and holds an extra descriptor; the daemon must get neither.
	cmd := exec.Command("bash", "-c", `trap '' INT QUIT TERM; exec "$@"`, "bash",
		testbin.Path("detach"), "-p", "--umask", "027", "sleep", "30")
	cmd.ExtraFiles = []*os.File{extra}
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(out)))
	t.Cleanup(func() { syscall.Kill(pid, syscall.SIGKILL) })

	// Its parent is the stage that waits to record its status, which
	// leads its session and was itself left to init.
	st := procStat(t, pid)
	if st.PPID != st.Session || procStat(t, st.PPID).PPID != 1 || st.TTYNr != 0 || st.Session == pid || st.Session == os.Getpid() {
		t.Errorf("daemon stat: ppid %d, session %d, tty_nr %d; want the session's leader as parent, a session it does not lead, no terminal", st.PPID, st.Session, st.TTYNr)
	}
	if mySid, _ := unix.Getsid(0); st.Session == mySid {
		t.Errorf("daemon is in the caller's session %d", mySid)
	}
	if cwd, _ := os.Readlink(fmt.Sprintf("/proc/%d/cwd", pid)); cwd != "/" {
		t.Errorf("cwd = %q; want /", cwd)
	}
	if got := procField(t, pid, "Umask"); got != "0027" {
		t.Errorf("umask = %s; want 0027", got)
	}
	if got := procField(t, pid, "SigIgn"); got != "0000000000000001" {
		t.Errorf("SigIgn = %s; want only HUP", got)
	}
	if got := procField(t, pid, "SigBlk"); got != "0000000000000000" {
		t.Errorf("SigBlk = %s; want nothing blocked", got)
	}
	// sleep's dynamic loader may still hold a library open for a moment
	// after the exec that detach waited for; an inherited descriptor
	// would stay.
	const want = "0=/dev/null 1=/dev/null 2=/dev/null"
	got := openFds(pid)
	for deadline := time.Now().Add(5 * time.Second); got != want && time.Now().Before(deadline); got = openFds(pid) {
		time.Sleep(10 * time.Millisecond)
	}
	if got != want {
		t.Errorf("descriptors: %s; want only 0-2 on /dev/null", got)
	}
}

// TestInheritedIgnores: a signal the caller ignored reaches the daemon at
// its default, SIGHUP aside, whether the Go runtime takes the ignore over
// (TERM, QUIT) or leaves it in place (INT, the job-control signals, 34);
// with the entry point and in a plain build, which has to assume every
// ignore the runtime leaves.
func TestInheritedIgnores(t *testing.T) {
	plain := filepath.Join(t.TempDir(), "detach")
	if err := os.Symlink(testbin.Program(t, "github.com/nohupx/nohupx/cmd/nohupx", "nohupx-plain"), plain); err != nil {
		t.Fatal(err)
	}
	for _, build := range []struct{ name, path string }{{"entry point", testbin.Path("detach")}, {"plain", plain}} {
		for _, sig := range []string{"TSTP", "TTIN", "TTOU", "CONT", "TERM", "QUIT", "INT", "34"} {
			t.Run(build.name+"/"+sig, func(t *testing.T) {
				cmd := exec.Command("bash", "-c", `trap '' `+sig+` HUP; exec "$@"`, "bash", build.path, "-p", "sleep", "30")
				out, err := cmd.Output()
				if err != nil {
					t.Fatal(err)
				}
				pid, _ := strconv.Atoi(strings.TrimSpace(string(out)))
				t.Cleanup(func() { syscall.Kill(pid, syscall.SIGKILL) })
				if got := procField(t, pid, "SigIgn"); got != "0000000000000001" {
					t.Errorf("SigIgn = %s under trap '' %s; want only HUP", got, sig)
				}
			})
		}
	}
}

// openFds lists pid's descriptors as "fd=target" in fd order.
func openFds(pid int) string {
	fds, _ := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	var names []string
	for _, fd := range fds {
		target, _ := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", pid, fd.Name()))
		names = append(names, fd.Name()+"="+target)
	}
	return strings.Join(names, " ")
}

// TestRelativeCommand: ./job means the job in the caller's directory, even
// though the daemon runs in /; argv[0] stays as typed.
func TestRelativeCommand(t *testing.T) {
	dir := t.TempDir()
	sleep, err := os.ReadFile("/bin/sleep")
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "job"), sleep, 0o755)
	cmd := exec.Command(testbin.Path("detach"), "-p", "./job", "30")
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("detach -p ./job = %v", err)
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(out)))
	t.Cleanup(func() { syscall.Kill(pid, syscall.SIGKILL) })
	if argv, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid)); string(argv) != "./job\x0030\x00" {
		t.Errorf("the job's argv = %q; want ./job 30", argv)
	}
	if exe, _ := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid)); exe != filepath.Join(dir, "job") {
		t.Errorf("the job runs %q; want %s", exe, filepath.Join(dir, "job"))
	}
}

func TestKeepFdsAndChdir(t *testing.T) {
	dir := t.TempDir()
	extra, _ := os.Create(filepath.Join(dir, "extra"))
	defer extra.Close()
	cmd := exec.Command(testbin.Path("detach"), "-p", "--keep-fds", "-C", dir, "sleep", "30")
	cmd.ExtraFiles = []*os.File{nil, extra} // fd 4
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(out)))
	t.Cleanup(func() { syscall.Kill(pid, syscall.SIGKILL) })
	if target, _ := os.Readlink(fmt.Sprintf("/proc/%d/fd/4", pid)); target != extra.Name() {
		t.Errorf("--keep-fds: fd 4 = %q; want %s", target, extra.Name())
	}
	if cwd, _ := os.Readlink(fmt.Sprintf("/proc/%d/cwd", pid)); cwd != dir {
		t.Errorf("--chdir: cwd = %q; want %s", cwd, dir)
	}
}

func TestOutput(t *testing.T) {
	dir := t.TempDir()
	log, errLog := filepath.Join(dir, "out.log"), filepath.Join(dir, "err.log")
	code, _, errOut := detach(t, "-w", "-o", log, "--stderr", errLog, "sh", "-c", "echo out; echo err >&2")
	if code != 0 {
		t.Fatalf("detach = %d %q", code, errOut)
	}
	for name, want := range map[string]string{log: "out\n", errLog: "err\n"} {
		waitFile(t, name, want)
		if st, err := os.Stat(name); err != nil || st.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v, %v; want mode -rw-------", name, st, err)
		}
	}
	// --no-rotate: the command writes the file itself.
	direct := filepath.Join(dir, "direct.log")
	code, _, _ = detach(t, "-w", "--no-rotate", "-o", direct, "readlink", "/proc/self/fd/1")
	if b, _ := os.ReadFile(direct); code != 0 || string(b) != direct+"\n" {
		t.Errorf("--no-rotate: stdout was %q; want the file itself", b)
	}
}

func waitFile(t *testing.T, name, want string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if b, _ := os.ReadFile(name); string(b) == want {
			return
		} else if time.Now().After(deadline) {
			t.Fatalf("%s = %q; want %q", name, b, want)
		}
	}
}

func TestPidfile(t *testing.T) {
	dir := t.TempDir()
	pf := filepath.Join(dir, "job.pid")
	pid := daemon(t, "--pidfile", pf, "sleep", "30")
	// Present, whole and right as soon as detach has returned.
	if b, err := os.ReadFile(pf); err != nil || string(b) != fmt.Sprintf("%d\n", pid) {
		t.Fatalf("pidfile = %q, %v; want %d", b, err, pid)
	}
	code, _, errOut := detach(t, "--pidfile", pf, "sleep", "30")
	if want := fmt.Sprintf("detach: pidfile '%s': already running (pid %d)\n", pf, pid); code != 125 || errOut != want {
		t.Errorf("second detach = %d %q; want 125 %q", code, errOut, want)
	}
	// Once the daemon is gone, its pidfile is stale and is reclaimed.
	syscall.Kill(pid, syscall.SIGKILL)
	for deadline := time.Now().Add(5 * time.Second); syscall.Kill(pid, 0) == nil; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the daemon did not die")
		}
	}
	pid2 := daemon(t, "--pidfile", pf, "sleep", "30")
	if b, _ := os.ReadFile(pf); string(b) != fmt.Sprintf("%d\n", pid2) {
		t.Errorf("reclaimed pidfile = %q; want %d", b, pid2)
	}
	// A failed start leaves no pidfile behind.
	other := filepath.Join(dir, "other.pid")
	if code, _, _ := detach(t, "--pidfile", other, "no-such-command"); code != 127 {
		t.Errorf("failed start = %d; want 127", code)
	}
	if _, err := os.Lstat(other); err == nil {
		t.Error("a failed start left a pidfile")
	}
	// A symlink is refused and its target untouched.
	target := filepath.Join(dir, "precious")
	os.WriteFile(target, []byte("keep\n"), 0o600)
	link := filepath.Join(dir, "link.pid")
	os.Symlink(target, link)
	code, _, errOut = detach(t, "--pidfile", link, "true")
	if b, _ := os.ReadFile(target); code != 125 || string(b) != "keep\n" || !strings.Contains(errOut, "symbolic link") {
		t.Errorf("symlink pidfile: %d %q, target %q; want 125, refused, untouched", code, errOut, b)
	}
}

// TestPidfileRace: 20 detaches of the same pidfile at once, exactly one runs.
func TestPidfileRace(t *testing.T) {
	pf := filepath.Join(t.TempDir(), "race.pid")
	marker := "nohupx-race-" + strconv.Itoa(os.Getpid())
	var wg sync.WaitGroup
	codes := make([]int, 20)
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i], _, _ = detach(t, "--pidfile", pf, "sh", "-c", "exec sleep 60", marker)
		}()
	}
	wg.Wait()
	started := 0
	for _, c := range codes {
		switch c {
		case 0:
			started++
		case 125:
		default:
			t.Errorf("a detach returned %d; want 0 or 125", c)
		}
	}
	b, _ := os.ReadFile(pf)
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	if pid > 0 {
		t.Cleanup(func() { syscall.Kill(pid, syscall.SIGKILL) })
	}
	running := 0
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		if c, err := os.ReadFile("/proc/" + e.Name() + "/cmdline"); err == nil && bytes.Contains(c, []byte("sleep\x0060")) {
			if n, _ := strconv.Atoi(e.Name()); n == pid {
				running++
			}
		}
	}
	if started != 1 || running != 1 {
		t.Errorf("%d detaches succeeded and the pidfile's pid %d runs %d times; want exactly one", started, pid, running)
	}
}

func TestReady(t *testing.T) {
	bin := testbin.Program(t, "./testdata/notify", "notify")
	t.Run("ready", func(t *testing.T) {
		start := time.Now()
		pid := daemon(t, "--no-record", "--ready", bin, "-delay", "400ms")
		if took := time.Since(start); took < 400*time.Millisecond {
			t.Errorf("detach --ready returned after %v, before READY=1", took)
		}
		if st := procStat(t, pid); st.PPID != 1 {
			t.Errorf("after READY=1 the daemon's ppid is %d; want 1 (the stage let go)", st.PPID)
		}
	})
	t.Run("ready, recorded", func(t *testing.T) {
		// The stage stays the daemon's parent to record its status: the
		// leader of the daemon's session, itself left to init.
		pid := daemon(t, "--ready", bin, "-delay", "100ms")
		st := procStat(t, pid)
		if stage := procStat(t, st.PPID); st.PPID != st.Session || stage.PPID != 1 {
			t.Errorf("after READY=1 the daemon's ppid is %d (ppid %d), its session %d; want the session's leader, a child of 1", st.PPID, stage.PPID, st.Session)
		}
	})
	t.Run("exits first", func(t *testing.T) {
		start := time.Now()
		code, _, errOut := detach(t, "--ready", "--timeout", "20s", bin, "-delay", "100ms", "-exit", "3")
		if code != 3 || time.Since(start) > 5*time.Second || !strings.Contains(errOut, "exited with status 3 before it reported READY=1") {
			t.Errorf("= %d %q after %v; want 3 at once", code, errOut, time.Since(start))
		}
	})
	t.Run("exits 0 first", func(t *testing.T) {
		// Never ready is not a success, even when the exit is clean.
		code, _, errOut := detach(t, "--ready", "--timeout", "20s", bin, "-delay", "100ms", "-exit", "0")
		if code != detachpkg.NotReady || code == 0 || !strings.Contains(errOut, "exited with status 0 before it reported READY=1") {
			t.Errorf("= %d %q; want %d", code, errOut, detachpkg.NotReady)
		}
	})
	t.Run("ready, then exits at once", func(t *testing.T) {
		// READY=1 is queued on the socket before the exit can be seen:
		// ready, whichever detach learns of first. Many times, as the
		// order is a race.
		for _, status := range []string{"0", "3"} {
			for i := 0; i < 50; i++ {
				code, _, errOut := detach(t, "--ready", "--timeout", "5s", bin, "-ready-exit", status)
				if code != 0 || errOut != "" {
					t.Fatalf("run %d, exit %s: = %d %q; want 0: it reported READY=1", i, status, code, errOut)
				}
			}
		}
	})
	t.Run("deep TMPDIR", func(t *testing.T) {
		// Too deep for a socket path: /tmp serves instead.
		deep := filepath.Join(t.TempDir(), strings.Repeat("d", 100))
		if err := os.Mkdir(deep, 0o700); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(testbin.Path("detach"), "-p", "--ready", bin, "-delay", "10ms")
		cmd.Env = append(os.Environ(), "TMPDIR="+deep)
		var errOut bytes.Buffer
		cmd.Stderr = &errOut
		out, err := cmd.Output()
		pid, _ := strconv.Atoi(strings.TrimSpace(string(out)))
		if pid > 0 {
			defer syscall.Kill(pid, syscall.SIGKILL)
		}
		if err != nil || pid <= 0 {
			t.Errorf("detach --ready with a deep TMPDIR = %v %q; want the command started and ready", err, errOut.String())
		}
	})
	t.Run("timeout", func(t *testing.T) {
		code, out, errOut := detach(t, "-p", "--ready", "--timeout", "300ms", bin, "-never")
		pid, _ := strconv.Atoi(strings.TrimSpace(out))
		if pid > 0 {
			defer syscall.Kill(pid, syscall.SIGKILL)
		}
		if code != 124 || pid <= 0 || !strings.Contains(errOut, "did not report READY=1 within 300ms; it is still running") || syscall.Kill(pid, 0) != nil {
			t.Errorf("= %d %q; want 124 and the command still running", code, errOut)
		}
	})
}

func TestUser(t *testing.T) {
	testbin.NeedRoot(t, "for --user")
	dir := t.TempDir()
	os.Chmod(dir, 0o755)
	pf, log := filepath.Join(dir, "u.pid"), filepath.Join(dir, "u.log")
	// Run after daemon's kill, before dir is removed: the relay writes
	// the end of the output, and the stage removes the pidfile, on their
	// way out.
	t.Cleanup(func() {
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
			if pids, err := logrot.Serving(log); err != nil || len(pids) == 0 {
				if _, err := os.Stat(pf); err != nil {
					return
				}
			}
		}
	})
	pid := daemon(t, "--user", "nobody", "--pidfile", pf, "-o", log, "sleep", "30")
	if got := procField(t, pid, "Uid"); !strings.HasPrefix(got, "65534\t65534") {
		t.Errorf("Uid = %q; want nobody's 65534", got)
	}
	for _, f := range []string{pf, log} {
		var st syscall.Stat_t
		if err := syscall.Stat(f, &st); err != nil || st.Uid != 0 {
			t.Errorf("%s owned by %d, %v; want the invoking user (root)", f, st.Uid, err)
		}
	}
}

// TestUserNotRoot: --user is refused to anyone but root as a usage
// error (125), not taken for a command that failed to run (126).
func TestUserNotRoot(t *testing.T) {
	testbin.NeedRoot(t, "to run detach as nobody")
	exe := testbin.PublicCopy(t, testbin.Path("detach"), "detach")
	const want = "detach: --user: only root can run a command as another user\nTry 'detach --help' for more information.\n"
	for _, args := range [][]string{
		{"-u", "root", "-w", "id"},
		{"--user=nobody", "true"},
		{"--user", "0:0", "true"},
		{"-u", "no-such-user-x", "true"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			cmd := exec.Command(exe, args...)
			cmd.Args[0] = "detach"
			cmd.Dir = "/"
			cmd.Env = []string{"PATH=/usr/bin:/bin"}
			cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Run(); cmd.ProcessState == nil {
				t.Fatal(err)
			}
			if code := cmd.ProcessState.ExitCode(); code != 125 || stderr.String() != want || stdout.Len() > 0 {
				t.Errorf("detach %q as nobody = %d, %q, %q; want 125 and %q", args, code, stdout.String(), stderr.String(), want)
			}
		})
	}
}

// TestUserRecord: with --user, the job is recorded in the caller's record
// directory (here from the caller's HOME), not in USER's home.
func TestUserRecord(t *testing.T) {
	testbin.NeedRoot(t, "for --user")
	nobody, err := user.Lookup("nobody")
	if err != nil {
		testbin.Missing(t, "no user nobody: %v", err)
	}
	_, statErr := os.Lstat(filepath.Join(nobody.HomeDir, ".local"))
	home := t.TempDir()
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "HOME=") && !strings.HasPrefix(kv, "XDG_STATE_HOME=") {
			env = append(env, kv)
		}
	}
	cmd := exec.Command(testbin.Path("detach"), "--user", "nobody", "-w", "sh", "-c", `test "$HOME" = "$0"`, nobody.HomeDir)
	cmd.Env = append(env, "HOME="+home)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Errorf("detach --user nobody -w = %v %q; want 0 (the command's HOME nobody's) and no message", err, out)
	} else if len(out) > 0 {
		t.Errorf("detach --user nobody -w printed %q; want nothing", out)
	}
	if recs, err := os.ReadDir(filepath.Join(home, ".local", "state", "nohupx", "jobs")); err != nil || len(recs) == 0 {
		t.Errorf("the caller's record directory: %d entries, %v; want the job", len(recs), err)
	}
	if _, err := os.Lstat(filepath.Join(nobody.HomeDir, ".local")); statErr != nil && err == nil {
		t.Errorf("detach made %s/.local; want nothing in nobody's home", nobody.HomeDir)
	}
	// --on-exit runs as the caller, in the caller's environment: with the
	// command's HOME, root would write where USER's links lead.
	said := filepath.Join(t.TempDir(), "said")
	cmd = exec.Command(testbin.Path("detach"), "--user", "nobody", "-w", "--on-exit", `echo "$HOME" > `+said, "true")
	cmd.Env = append(env, "HOME="+home)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("detach --user nobody --on-exit = %v %q", err, out)
	}
	eventuallyFile(t, said, home+"\n")
}

// eventuallyFile waits for name to hold want: --on-exit runs after detach
// -w has returned, once the output is on disk.
func eventuallyFile(t *testing.T, name, want string) {
	t.Helper()
	var b []byte
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if b, _ = os.ReadFile(name); string(b) == want {
			return
		}
	}
	t.Errorf("%s holds %q; want %q", name, b, want)
}

func TestHelp(t *testing.T) {
	code, out, _ := detach(t, "--help")
	golden := filepath.Join("testdata", "detach-help.golden")
	if os.Getenv("UPDATE_GOLDEN") != "" {
		os.WriteFile(golden, []byte(out), 0o644)
	}
	want, _ := os.ReadFile(golden)
	if code != 0 || out != string(want) {
		t.Errorf("detach --help differs from %s (UPDATE_GOLDEN=1 rewrites it):\n%s", golden, out)
	}
}

// TestPrintPidFails: when -p cannot print the pid (stdout full, or closed,
// which the Go runtime would have turned into /dev/null), detach fails
// and says that the command runs, and as which pid.
func TestPrintPidFails(t *testing.T) {
	for _, tt := range []struct{ name, redirect string }{
		{"stdout full", ">/dev/full"},
		{"stdout closed", ">&-"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.Command("sh", "-c", `exec "$0" -p sleep 30 `+tt.redirect, testbin.Path("detach"))
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			cmd.Run()
			msg := stderr.String()
			_, after, ok := strings.Cut(msg, "; the command runs, as pid ")
			pid, err := strconv.Atoi(strings.TrimSpace(after))
			if err == nil {
				defer syscall.Kill(pid, syscall.SIGKILL)
			}
			if code := cmd.ProcessState.ExitCode(); code != 125 || !ok || err != nil || strings.Count(msg, "\n") != 1 {
				t.Fatalf("detach -p %s = %d %q; want 125 and one line that gives the pid", tt.redirect, code, msg)
			}
			if comm, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid)); string(comm) != "sleep\n" {
				t.Errorf("pid %d is %q; want the command, sleep", pid, comm)
			}
		})
	}
}
