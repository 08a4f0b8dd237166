package setsid_test

// Side-by-side tests of the setsid applet: each command line runs through
// util-linux's /usr/bin/setsid and through ours, both started the same way,
// and what a user can see must be equal: stdout, stderr, the raw wait
// status, and where the command ended up (pid, session, terminal).

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"

	"github.com/nohupx/nohupx/internal/testbin"
	"github.com/nohupx/nohupx/internal/version"
)

const utilLinuxSetsid = "/usr/bin/setsid"

// implementations returns the two implementations to compare, by name, after
// checking that the reference is util-linux 2.38. Without it the test is
// skipped, except under CI=true where it must be there.
func implementations(t *testing.T) []implementation {
	t.Helper()
	out, err := exec.Command(utilLinuxSetsid, "--version").Output()
	if err != nil || !strings.Contains(string(out), "util-linux 2.38") {
		testbin.Missing(t, "no util-linux 2.38 setsid to compare with: %s --version = %q, %v", utilLinuxSetsid, out, err)
	}
	return []implementation{{"util-linux", utilLinuxSetsid}, {"nohupx", testbin.Path("setsid")}}
}

type implementation struct{ name, path string }

// call is one invocation. In args and via, "{tmp}" is replaced by a
// directory of the run's own, which is also its working directory.
type call struct {
	argv0  string   // default: the implementation's path
	args   []string // after argv[0]
	env    []string // default: baseEnv
	via    []string // run as via... SETSID args..., e.g. through a shell
	leader bool     // start setsid as a process-group leader
	// session: start setsid as a session leader whose controlling
	// terminal is a new pty on its stdin (a terminal's first command)
	session bool
	stdin   *os.File // default: /dev/null
	full    bool     // stdout is /dev/full
	extra   []*os.File
	prep    func(t *testing.T, dir string)
}

var baseEnv = []string{"PATH=/usr/bin:/bin", "LANG=C.UTF-8"}

type result struct {
	stdout, stderr string
	status         string // "exit N" or "signal NAME", from the raw status
	ws             syscall.WaitStatus
	pid            int // setsid's own pid
}

var childPIDs = regexp.MustCompile(`child [0-9]+ did`)

// run runs c through the implementation at path. The implementation's path
// is replaced by SETSID and child pids by PID in what it printed.
func (c call) run(t *testing.T, path string) result {
	t.Helper()
	dir := t.TempDir()
	if c.prep != nil {
		c.prep(t, dir)
	}
	subst := func(s []string) []string {
		var r []string
		for _, a := range s {
			r = append(r, strings.ReplaceAll(a, "{tmp}", dir))
		}
		return r
	}
	args := append([]string{path}, subst(c.args)...)
	if c.argv0 != "" {
		args[0] = c.argv0
	}
	if len(c.via) > 0 {
		args = append(subst(c.via), append([]string{path}, subst(c.args)...)...)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	if len(c.via) == 0 {
		cmd.Path = path
	}
	cmd.Args = args
	cmd.Dir = dir
	cmd.Env = baseEnv
	if c.env != nil {
		cmd.Env = c.env
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: c.leader}
	if c.stdin != nil {
		cmd.Stdin = c.stdin
	}
	if c.session {
		master, tty, err := pty.Open()
		if err != nil {
			t.Fatalf("no pty: %v", err)
		}
		defer master.Close()
		defer tty.Close()
		cmd.Stdin = tty
		cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if c.full {
		f, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		cmd.Stdout = f
	}
	cmd.ExtraFiles = c.extra
	cmd.WaitDelay = 5 * time.Second
	err := cmd.Run()
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		t.Fatalf("%q: %v", args, err)
	}
	// A command left behind writes its pid in {tmp}/pid: kill its group.
	t.Cleanup(func() {
		if b, err := os.ReadFile(filepath.Join(dir, "pid")); err == nil {
			if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil && pid > 1 {
				_ = syscall.Kill(-pid, syscall.SIGKILL)
				_ = syscall.Kill(pid, syscall.SIGKILL)
			}
		}
	})
	norm := func(s string) string {
		return childPIDs.ReplaceAllString(strings.ReplaceAll(s, path, "SETSID"), "child PID did")
	}
	ws := cmd.ProcessState.Sys().(syscall.WaitStatus)
	return result{stdout: norm(stdout.String()), stderr: norm(stderr.String()),
		status: statusOf(ws), ws: ws, pid: cmd.Process.Pid}
}

func statusOf(ws syscall.WaitStatus) string {
	if ws.Signaled() {
		return "signal " + unix.SignalName(ws.Signal())
	}
	return "exit " + strconv.Itoa(ws.ExitStatus())
}

// TestCompat: same stdout, stderr and status as util-linux, and the
// status this table expects, so that a test fails even if both changed.
func TestCompat(t *testing.T) {
	impls := implementations(t)
	script := func(name, body string, mode os.FileMode) func(*testing.T, string) {
		return func(t *testing.T, dir string) {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(body), mode); err != nil {
				t.Fatal(err)
			}
		}
	}
	extra, err := os.Open("/dev/null")
	if err != nil {
		t.Fatal(err)
	}
	defer extra.Close()
	cLocale := []string{"PATH=/usr/bin:/bin"}
	tests := []struct {
		name string
		c    call
		want string // status
	}{
		// Usage and parsing.
		{name: "no command", c: call{}, want: "exit 1"},
		{name: "only options", c: call{args: []string{"-fw"}}, want: "exit 1"},
		{name: "double dash", c: call{args: []string{"--"}}, want: "exit 1"},
		{name: "invalid short", c: call{args: []string{"-x", "true"}}, want: "exit 1"},
		{name: "invalid in bundle", c: call{args: []string{"-fx", "true"}}, want: "exit 1"},
		{name: "short argv0", c: call{argv0: "setsid", args: []string{"-q"}}, want: "exit 1"},
		{name: "odd argv0", c: call{argv0: "/opt/x/setsid", args: []string{"--nope"}}, want: "exit 1"},
		{name: "unrecognized long", c: call{args: []string{"--bogus", "--help"}}, want: "exit 1"},
		{name: "help wins when first", c: call{args: []string{"--he", "--bogus"}}, want: "exit 0"},
		{name: "help in bundle", c: call{args: []string{"-fh"}}, want: "exit 0"},
		{name: "help then version", c: call{args: []string{"-hV"}}, want: "exit 0"},
		{name: "long with value", c: call{args: []string{"--wait=1", "true"}}, want: "exit 1"},
		{name: "ambiguous empty name", c: call{args: []string{"--=x"}}, want: "exit 1"},
		{name: "help to full disk", c: call{args: []string{"--help"}, full: true}, want: "exit 1"},
		{name: "help to closed stdout", c: call{via: []string{"bash", "-c", `exec "$0" "$@" >&-`}, args: []string{"--help"}}, want: "exit 0"},
		{name: "version to closed stdout", c: call{via: []string{"bash", "-c", `exec "$0" "$@" >&-`}, args: []string{"-V"}}, want: "exit 0"},
		{name: "command after options", c: call{args: []string{"-f", "-w", "echo", "-w", "--x"}}, want: "exit 0"},
		{name: "prefixes", c: call{args: []string{"--fo", "--wa", "sh", "-c", "exit 4"}}, want: "exit 4"},
		{name: "bundle", c: call{args: []string{"-fw", "sh", "-c", "exit 5"}}, want: "exit 5"},
		{name: "dash command", c: call{args: []string{"-"}}, want: "exit 127"},
		{name: "option-like command", c: call{args: []string{"--", "-fw"}}, want: "exit 127"},

		// Exec failures, in place and forked.
		{name: "not found", c: call{args: []string{"no-such-command-x"}}, want: "exit 127"},
		{name: "not found forked", c: call{args: []string{"-f", "/nonexistent"}}, want: "exit 0"},
		{name: "not found leader", c: call{leader: true, args: []string{"/nonexistent"}}, want: "exit 0"},
		{name: "not found waited", c: call{args: []string{"-fw", "/nonexistent"}}, want: "exit 127"},
		{name: "not found leader waited", c: call{leader: true, args: []string{"-w", "nope"}}, want: "exit 127"},
		{name: "not executable", c: call{args: []string{"./data"}, prep: script("data", "x\n", 0o644)}, want: "exit 126"},
		{name: "not executable waited", c: call{args: []string{"-fw", "./data"}, prep: script("data", "x\n", 0o644)}, want: "exit 126"},
		{name: "directory", c: call{args: []string{"-fw", "/"}}, want: "exit 126"},
		{name: "empty PATH element is cwd", c: call{args: []string{"-fw", "hello", "a b"},
			env: []string{"PATH=:/usr/bin:/bin"}, prep: script("hello", "#!/bin/sh\necho hello \"$1\"\n", 0o755)}, want: "exit 0"},
		{name: "no #! runs sh", c: call{args: []string{"./plain", "x"},
			prep: script("plain", "echo plain \"$0\" \"$1\"; exit 6\n", 0o755)}, want: "exit 6"},

		// A message that cannot be written: util-linux's close_stdout()
		// finds stderr's error flag at exit and makes the status 1.
		{name: "exec failure to full disk", c: stderrTo("2>/dev/full", "no-such-command-x"), want: "exit 1"},
		{name: "exec failure to read-only stderr", c: stderrTo("2</dev/null", "no-such-command-x"), want: "exit 1"},
		{name: "exec failure to closed stderr", c: stderrTo("2>&-", "no-such-command-x"), want: "exit 1"},
		{name: "exec failure waited to full disk", c: stderrTo("2>/dev/full", "-fw", "no-such-command-x"), want: "exit 1"},
		{name: "exec failure forked to full disk", c: stderrTo("2>/dev/full", "-f", "no-such-command-x"), want: "exit 0"},
		{name: "waited signal to full disk", c: stderrTo("2>/dev/full", "-fw", "sh", "-c", "kill -TERM $$"), want: "exit 1"},
		{name: "waited signal to closed stderr", c: stderrTo("2>&-", "-fw", "sh", "-c", "kill -TERM $$"), want: "exit 1"},
		{name: "waited status to closed stderr", c: stderrTo("2>&-", "-fw", "sh", "-c", "exit 3"), want: "exit 3"},

		// Statuses with and without -w.
		{name: "in place status", c: call{args: []string{"-w", "sh", "-c", "exit 3"}}, want: "exit 3"},
		{name: "forked no wait", c: call{args: []string{"-f", "sh", "-c", "exit 3"}}, want: "exit 0"},
		{name: "forked wait 0", c: call{args: []string{"-fw", "true"}}, want: "exit 0"},
		{name: "forked wait 3", c: call{args: []string{"-fw", "sh", "-c", "exit 3"}}, want: "exit 3"},
		{name: "leader wait 3", c: call{leader: true, args: []string{"-w", "sh", "-c", "exit 3"}}, want: "exit 3"},
		{name: "leader no wait", c: call{leader: true, args: []string{"sh", "-c", "exit 3"}}, want: "exit 0"},
		{name: "waited SIGTERM", c: call{args: []string{"-fw", "sh", "-c", "kill -TERM $$"}}, want: "exit 15"},
		{name: "waited SIGTERM C locale", c: call{env: cLocale, args: []string{"-fw", "sh", "-c", "kill -TERM $$"}}, want: "exit 15"},
		{name: "waited SIGKILL LC_ALL", c: call{env: []string{"PATH=/bin", "LANG=C.UTF-8", "LC_ALL=C"},
			args: []string{"--fork", "--wait", "sh", "-c", "kill -KILL $$"}}, want: "exit 9"},
		{name: "waited SIGINT de_DE", c: call{env: []string{"PATH=/bin", "LC_MESSAGES=de_DE.UTF-8"},
			leader: true, args: []string{"-w", "sh", "-c", "kill -INT $$"}}, want: "exit 2"},
		{name: "in place SIGTERM", c: call{args: []string{"-w", "sh", "-c", "kill -TERM $$"}}, want: "signal SIGTERM"},
		{name: "wait reaps another child", c: call{
			via:  []string{"sh", "-c", `sleep 0.2 & exec "$@"`, "sh"},
			args: []string{"-fw", "sh", "-c", `echo $$ >"$0"; exec sleep 2 >/dev/null 2>&1`, "{tmp}/pid"}}, want: "exit 1"},

		// The controlling terminal on a stdin that is not one.
		{name: "ctty not a tty", c: call{args: []string{"-c", "true"}}, want: "exit 1"},
		{name: "ctty forked", c: call{args: []string{"-fc", "true"}}, want: "exit 0"},
		{name: "ctty waited", c: call{args: []string{"--ctty", "-fw", "true"}}, want: "exit 1"},

		// What the command inherits.
		{name: "fds in place", c: call{extra: []*os.File{extra}, args: []string{"ls", "/proc/self/fd"}}, want: "exit 0"},
		{name: "fds forked", c: call{extra: []*os.File{extra, extra}, args: []string{"-fw", "ls", "/proc/self/fd"}}, want: "exit 0"},
		{name: "env", c: call{env: []string{"PATH=/usr/bin:/bin", "A=1", "B=", "LANG=C.UTF-8"},
			args: []string{"-fw", "env"}}, want: "exit 0"},
		{name: "limits and umask", c: call{args: []string{"-f", "-w", "sh", "-c", "ulimit -Sn; ulimit -Hn; umask"}}, want: "exit 0"},
		{name: "signal mask forked", c: call{via: perl("sigprocmask(SIG_BLOCK, POSIX::SigSet->new(SIGUSR1))"),
			args: []string{"-fw", "grep", "SigBlk", "/proc/self/status"}}, want: "exit 0"},
		{name: "signal mask in place", c: call{via: perl("sigprocmask(SIG_BLOCK, POSIX::SigSet->new(SIGUSR2))"),
			args: []string{"grep", "SigBlk", "/proc/self/status"}}, want: "exit 0"},
		{name: "ignored HUP INT forked", c: call{via: perl(`$SIG{HUP}="IGNORE"; $SIG{INT}="IGNORE"`),
			args: []string{"-fw", "grep", "SigIgn", "/proc/self/status"}}, want: "exit 0"},

		// What the Go runtime changes before main, put back (internal/entry).
		{name: "ignored TERM QUIT PIPE USR1 in place", c: call{via: perl(ignoreMany),
			args: []string{"grep", "SigIgn", "/proc/self/status"}}, want: "exit 0"},
		{name: "ignored TERM QUIT PIPE USR1 forked", c: call{via: perl(ignoreMany),
			args: []string{"-fw", "grep", "SigIgn", "/proc/self/status"}}, want: "exit 0"},
		{name: "ignored TERM QUIT PIPE USR1 as a group leader", c: call{via: perl(ignoreMany), leader: true,
			args: []string{"-w", "grep", "SigIgn", "/proc/self/status"}}, want: "exit 0"},
		{name: "blocked TERM HUP PROF in place", c: call{via: perl(blockMany),
			args: []string{"grep", "SigBlk", "/proc/self/status"}}, want: "exit 0"},
		{name: "blocked TERM HUP PROF forked", c: call{via: perl(blockMany),
			args: []string{"-fw", "grep", "SigBlk", "/proc/self/status"}}, want: "exit 0"},
		{name: "closed stdin in place", c: closedFds("0<&-"), want: "exit 0"},
		{name: "closed stdout in place", c: closedFds("1>&-"), want: "exit 0"},
		{name: "closed stderr in place", c: closedFds("2>&-"), want: "exit 0"},
		{name: "closed 0-2 in place", c: closedFds("0<&- 1>&- 2>&-"), want: "exit 0"},
		{name: "closed stdout forked", c: closedFds("1>&-", "-fw"), want: "exit 0"},
		{name: "closed 0-2 forked", c: closedFds("0<&- 1>&- 2>&-", "-fw"), want: "exit 0"},
		{name: "closed stdin with ctty", c: closedFds("0<&-", "-c"), want: "exit 1"},
		{name: "closed stdin with ctty forked", c: closedFds("0<&-", "-fwc"), want: "exit 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ref := tt.c.run(t, impls[0].path)
			got := tt.c.run(t, impls[1].path)
			if ref.status != tt.want {
				t.Errorf("util-linux setsid %q: %s; want %s (stderr %q)", tt.c.args, ref.status, tt.want, ref.stderr)
			}
			if got.status != ref.status || got.stdout != ref.stdout || got.stderr != ref.stderr {
				t.Errorf("setsid %q = %s, stdout %q, stderr %q;\nwant %s, stdout %q, stderr %q (util-linux)",
					tt.c.args, got.status, got.stdout, got.stderr, ref.status, ref.stdout, ref.stderr)
			}
		})
	}
}

// TestControllingProcess: setsid as a terminal's first command (ssh -t
// host setsid cmd, script -c, xterm -e) is a session leader, so it forks,
// and its exit hangs up the terminal's foreground process group (SIGHUP),
// which its child is still in until the child's setsid(2). util-linux's
// child gets there within a system call of the fork, so the program runs,
// unless the parent exits first, as it does on a loaded machine (10 tries
// in 10 with two busy CPUs): how often the reference runs it is logged,
// not asserted. Ours must run it every time. With -c, the child takes the
// terminal while the parent may still hold it, which only root can
// (TIOCSCTTY's steal): as another user, util-linux fails too ("failed to
// set the controlling terminal").
func TestControllingProcess(t *testing.T) {
	impls := implementations(t)
	for _, args := range [][]string{{"sh", "-c", "echo ran"}, {"-c", "sh", "-c", "echo ran"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			if args[0] == "-c" {
				testbin.NeedRoot(t, "to take a terminal its session leader still holds")
			}
			c := call{session: true, args: args}
			ran := 0
			for i := 0; i < 10; i++ {
				if r := c.run(t, impls[0].path); r.stdout == "ran\n" {
					ran++
				}
			}
			t.Logf("util-linux setsid %q ran the program in %d tries of 10", args, ran)
			for i := 0; i < 5; i++ {
				if r := c.run(t, impls[1].path); r.status != "exit 0" || r.stdout != "ran\n" || r.stderr != "" {
					t.Fatalf("setsid %q as the controlling process, try %d: %s, stdout %q, stderr %q; want exit 0 and the program's \"ran\"",
						args, i, r.status, r.stdout, r.stderr)
				}
			}
		})
	}
}

// TestHelpGolden: --help is util-linux's text, kept in testdata.
func TestHelpGolden(t *testing.T) {
	want, err := os.ReadFile("testdata/help.golden")
	if err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"--help"}, {"-h"}, {"--he"}, {"-w", "--help", "x"}} {
		got := call{args: args}.run(t, testbin.Path("setsid"))
		if got.stdout != string(want) || got.stderr != "" || got.status != "exit 0" {
			t.Errorf("setsid %q = %s, stdout %q, stderr %q; want exit 0 and the golden help", args, got.status, got.stdout, got.stderr)
		}
	}
	// The golden file is util-linux's own output (regenerate it with
	// /usr/bin/setsid --help > testdata/help.golden).
	ref := implementations(t)[0]
	if got := (call{args: []string{"--help"}}).run(t, ref.path); got.stdout != string(want) {
		t.Errorf("util-linux setsid --help = %q; want the golden file %q", got.stdout, want)
	}
}

// TestVersion: our own version line, keeping util-linux's shape.
func TestVersion(t *testing.T) {
	want := "setsid from nohupx " + version.Version + " (util-linux 2.38.1 compatible)\n"
	for _, args := range [][]string{{"-V"}, {"--version"}, {"--vers", "--bogus"}, {"-fV"}} {
		got := call{args: args}.run(t, testbin.Path("setsid"))
		if got.stdout != want || got.stderr != "" || got.status != "exit 0" {
			t.Errorf("setsid %q = %s, stdout %q, stderr %q; want exit 0, %q", args, got.status, got.stdout, got.stderr, want)
		}
	}
}

// perl runs setsid from a perl that first does setup: how the tests give it
// an inherited signal mask or ignore.
func perl(setup string) []string {
	return []string{"perl", "-e", "use POSIX; " + setup + "; exec @ARGV or die"}
}

// ignoreMany and blockMany set up, through perl, signals the Go runtime
// takes over (TERM, QUIT, PIPE) or unblocks (TERM, HUP, PROF), and others.
const (
	ignoreMany = `$SIG{TERM}="IGNORE"; $SIG{QUIT}="IGNORE"; $SIG{PIPE}="IGNORE"; $SIG{USR1}="IGNORE"`
	blockMany  = "sigprocmask(SIG_BLOCK, POSIX::SigSet->new(SIGTERM, SIGHUP, SIGPROF, SIGUSR2))"
)

// stderrTo runs setsid with args and its stderr redirected by redir.
func stderrTo(redir string, args ...string) call {
	return call{via: []string{"bash", "-c", `exec "$0" "$@" ` + redir}, args: args}
}

// closedFds runs setsid with redirs (closing some of fds 0–2) and a
// command that says on fd 3 which of its fds 0–2 are open.
func closedFds(redirs string, opts ...string) call {
	probe := `for f in 0 1 2; do if test -L /proc/$$/fd/$f; then echo $f open >&3; else echo $f closed >&3; fi; done`
	return call{via: []string{"bash", "-c", `exec 3>&1 ` + redirs + `; exec "$0" "$@"`},
		args: append(opts, "sh", "-c", probe)}
}

// TestForkLosesFaultIgnores pins the one difference left on Linux:
// when setsid forks, Go's forked child resets to SIG_DFL the signals the
// runtime keeps a handler for whatever was inherited (the faults, PROF),
// so an inherited ignore of those reaches the program only in place.
func TestForkLosesFaultIgnores(t *testing.T) {
	impls := implementations(t)
	prof := "SigIgn:\t0000000004000000\n"
	for _, args := range [][]string{{"-w"}, {"-fw"}} {
		c := call{via: perl(`$SIG{PROF}="IGNORE"`), args: append(args, "grep", "SigIgn", "/proc/self/status")}
		ref, got := c.run(t, impls[0].path), c.run(t, impls[1].path)
		want := prof
		if args[0] == "-fw" {
			want = "SigIgn:\t0000000000000000\n"
		}
		if ref.stdout != prof || got.stdout != want {
			t.Errorf("setsid %q with PROF ignored: util-linux %q, nohupx %q; want %q, %q", args, ref.stdout, got.stdout, prof, want)
		}
	}
}

// TestWithoutEntryPoint pins what a build without the entry point (a
// plain go build or go install, or a system that has none) still does: an
// inherited SIG_IGN on TERM (or QUIT, PIPE) does not reach the program, and
// a closed stdout reaches it as /dev/null.
func TestWithoutEntryPoint(t *testing.T) {
	impls := implementations(t)
	// Run through a link named setsid, as the package installs it.
	plain := filepath.Join(t.TempDir(), "setsid")
	if err := os.Symlink(testbin.Program(t, "github.com/nohupx/nohupx/cmd/nohupx", "nohupx-plain"), plain); err != nil {
		t.Fatal(err)
	}
	c := call{via: perl(`$SIG{TERM}="IGNORE"`), args: []string{"grep", "SigIgn", "/proc/self/status"}}
	ref, got := c.run(t, impls[0].path), c.run(t, plain)
	if ref.stdout != "SigIgn:\t0000000000004000\n" || got.stdout != "SigIgn:\t0000000000000000\n" {
		t.Errorf("SigIgn: util-linux %q, plain build %q; want TERM ignored only under util-linux", ref.stdout, got.stdout)
	}
	out, err := exec.Command("bash", "-c", `exec "$0" sh -c '( readlink /proc/$$/fd/1 ) >&2; exit 0' 2>&1 >&-`, plain).Output()
	if err != nil || string(out) != "/dev/null\n" {
		t.Errorf("closed stdout under a plain build: %q, %v; want /dev/null", out, err)
	}
}
