package nohupx_test

// Side-by-side tests: the same command line is run through GNU nohup and
// through nohupx (both as argv[0] "nohup"), and everything a user can see
// must be the same: exit status, what reaches the terminal, stdout, stderr,
// and the nohup.out file with its mode.

import (
	"bytes"
	"debug/elf"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/nohupx/nohupx/internal/entry"
	"github.com/nohupx/nohupx/internal/sigs"
	"github.com/nohupx/nohupx/internal/testbin"
	"github.com/nohupx/nohupx/logrot"
)

func TestMain(m *testing.M) { os.Exit(testbin.Main(m)) }

const gnuNohup = "/usr/bin/nohup"

func needGNU(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(gnuNohup); err != nil {
		testbin.Missing(t, "GNU nohup, to compare with: %v", err)
	}
}

// setup is one invocation: which of fds 0–2 are a terminal, the arguments
// after argv[0], extra environment, and files to create in the directory.
type setup struct {
	tty   [3]bool
	args  []string
	env   []string
	umask string // run under this umask, e.g. "077"
	prep  func(t *testing.T, dir string)
	dir   string // working directory; a fresh one when ""
	// closed fds are closed when nohup starts (not with umask)
	closed [3]bool
	// ours are arguments for nohupx only, before args: --no-rotate
	ours []string
}

type result struct {
	code           int
	term           string // what the command and nohup wrote on the terminal
	stdout, stderr string
	nohupOut       string // contents of nohup.out in the directory, or "<none>"
	mode           os.FileMode
	homeOut        string // contents of $HOME/nohup.out, or "<none>"
	fds            string // what fdProbe wrote in the directory, or ""
}

func (r result) String() string {
	return fmt.Sprintf("status %d\nterminal %q\nstdout %q\nstderr %q\nnohup.out %q mode %v\n$HOME/nohup.out %q\nfds %q",
		r.code, r.term, r.stdout, r.stderr, clip(r.nohupOut), r.mode, clip(r.homeOut), r.fds)
}

// fdProbe writes in the file fds what its fds 0–2 are (without disturbing
// them: the readlinks run in a subshell), then writes a line to each of
// stdout and stderr.
var fdProbe = []string{"sh", "-c", `( for f in 0 1 2; do readlink /proc/$$/fd/$f || echo closed; done ) >fds 2>/dev/null; echo out; echo err >&2`}

var ptsOrPipe = regexp.MustCompile(`/dev/pts/[0-9]+|pipe:\[[0-9]+\]`)

// clip keeps failure messages readable when a file is large.
func clip(s string) string {
	if len(s) > 300 {
		return fmt.Sprintf("%s…(%d bytes)", s[:300], len(s))
	}
	return s
}

// run runs bin with argv[0] "nohup" as s describes.
func run(t *testing.T, bin string, s setup) result {
	t.Helper()
	dir := s.dir
	if dir == "" {
		dir = t.TempDir()
	}
	if s.prep != nil {
		s.prep(t, dir)
	}
	argv := append([]string{"nohup"}, s.args...)
	cmd := exec.Command(bin)
	cmd.Args = argv
	if s.closed != [3]bool{} {
		redirs := ""
		for fd, c := range s.closed {
			if c {
				redirs += fmt.Sprintf(" %d>&-", fd)
			}
		}
		cmd = exec.Command("bash", append([]string{"-c", `exec -a nohup "$0" "$@"` + redirs, bin}, s.args...)...)
	}
	if s.umask != "" {
		// The shell sets the umask and execs, so nohup is still the
		// direct child with the same argv[0].
		cmd = exec.Command("/bin/sh", append([]string{"-c", `umask "$0"; exec -a nohup "$@"`, s.umask, bin}, s.args...)...)
		if _, err := exec.LookPath("bash"); err == nil {
			cmd = exec.Command("bash", append([]string{"-c", `umask "$0"; exec -a nohup "$@"`, s.umask, bin}, s.args...)...)
		}
	}
	cmd.Dir = dir
	cmd.Env = append([]string{"PATH=/usr/local/bin:/usr/bin:/bin", "HOME=" + dir + "/home", "LC_ALL=C"}, s.env...)

	var master, slave *os.File
	if s.tty != [3]bool{} {
		var err error
		master, slave, err = pty.Open()
		if err != nil {
			t.Fatal(err)
		}
		defer master.Close()
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdin = strings.NewReader("typed input\n")
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if s.tty[0] {
		cmd.Stdin = slave
	}
	if s.tty[1] {
		cmd.Stdout = slave
	}
	if s.tty[2] {
		cmd.Stderr = slave
	}
	err := cmd.Run()
	r := result{code: cmd.ProcessState.ExitCode(), stdout: stdout.String(), stderr: stderr.String(), nohupOut: "<none>"}
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		t.Fatalf("running %s: %v", bin, err)
	}
	if master != nil {
		slave.Close()
		r.term = drain(master)
	}
	settle(t, filepath.Join(dir, "nohup.out"))
	settle(t, filepath.Join(dir, "home", "nohup.out"))
	r.homeOut = "<none>"
	if b, err := os.ReadFile(filepath.Join(dir, "home", "nohup.out")); err == nil {
		r.homeOut = string(b)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "fds")); err == nil {
		r.fds = ptsOrPipe.ReplaceAllStringFunc(string(b), func(s string) string {
			if strings.HasPrefix(s, "pipe") {
				return "pipe"
			}
			return "/dev/pts/N"
		})
	}
	if b, err := os.ReadFile(filepath.Join(dir, "nohup.out")); err == nil {
		r.nohupOut = string(b)
		st, _ := os.Stat(filepath.Join(dir, "nohup.out"))
		r.mode = st.Mode()
	}
	return r
}

// settle waits until no relay serves path any more: a relay exits only
// once everything the command wrote is in the file.
func settle(t *testing.T, path string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		pids, err := logrot.Serving(path)
		if err != nil || len(pids) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("relays %v still write %s", pids, path)
		}
	}
}

// drain reads what is left on a pty master once every slave is closed
// (the read then fails with EIO), without the CR of ONLCR.
func drain(master *os.File) string {
	b, _ := io.ReadAll(master)
	return strings.ReplaceAll(string(b), "\r\n", "\n")
}

// compare runs s through GNU nohup and nohupx and fails on any difference.
func compare(t *testing.T, s setup) result {
	t.Helper()
	needGNU(t)
	gnuDir, ourDir := t.TempDir(), t.TempDir()
	g := s
	g.dir = gnuDir
	o := s
	o.dir = ourDir
	o.args = append(append([]string{}, s.ours...), s.args...)
	gnu := run(t, gnuNohup, g)
	ours := run(t, testbin.Path("nohupx"), o)
	norm := func(r result, dir string) string { return strings.ReplaceAll(r.String(), dir, "DIR") }
	if a, b := norm(gnu, gnuDir), norm(ours, ourDir); a != b {
		t.Errorf("nohup %q differs from GNU nohup\n--- GNU:\n%s\n--- nohupx:\n%s", s.args, a, b)
	}
	return ours
}

// probe is a command that shows what nohup did to it: whether stdin can be
// read, and one line on stdout and one on stderr.
var probe = []string{"sh", "-c", `if read x 2>/dev/null; then echo "read:$x"; else echo "read failed"; fi; echo out; echo err >&2`}

func TestTerminalCombinations(t *testing.T) {
	for mask := 0; mask < 8; mask++ {
		tty := [3]bool{mask&1 != 0, mask&2 != 0, mask&4 != 0}
		t.Run(fmt.Sprintf("stdin=%v,stdout=%v,stderr=%v", tty[0], tty[1], tty[2]), func(t *testing.T) {
			t.Parallel()
			compare(t, setup{tty: tty, args: probe})
		})
	}
}

func TestNohupOutMode(t *testing.T) {
	for _, umask := range []string{"000", "022", "077", "277"} {
		t.Run("umask"+umask, func(t *testing.T) {
			t.Parallel()
			r := compare(t, setup{tty: [3]bool{true, true, true}, args: []string{"true"}, umask: umask})
			if r.mode != 0o600 {
				t.Errorf("nohup.out mode under umask %s = %v; want -rw-------", umask, r.mode)
			}
		})
	}
	t.Run("existing file keeps its mode and is appended to", func(t *testing.T) {
		prep := func(t *testing.T, dir string) {
			if err := os.WriteFile(filepath.Join(dir, "nohup.out"), []byte("old\n"), 0o640); err != nil {
				t.Fatal(err)
			}
			os.Chmod(filepath.Join(dir, "nohup.out"), 0o640)
		}
		r := compare(t, setup{tty: [3]bool{false, true, false}, args: []string{"echo", "new"}, prep: prep})
		if r.nohupOut != "old\nnew\n" || r.mode != 0o640 {
			t.Errorf("nohup.out = %q mode %v; want appended, mode kept", r.nohupOut, r.mode)
		}
	})
}

func TestHomeFallback(t *testing.T) {
	// A directory named nohup.out makes the first open fail even for root.
	blockCwd := func(t *testing.T, dir string) {
		if err := os.Mkdir(filepath.Join(dir, "nohup.out"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	withHome := func(t *testing.T, dir string) {
		blockCwd(t, dir)
		if err := os.Mkdir(filepath.Join(dir, "home"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Run("falls back to HOME", func(t *testing.T) {
		compare(t, setup{tty: [3]bool{true, true, true}, args: []string{"echo", "hi"}, prep: withHome})
	})
	t.Run("HOME's trailing slashes become one", func(t *testing.T) {
		compare(t, setup{tty: [3]bool{true, true, true}, args: []string{"echo", "hi"}, prep: withHome, env: []string{"HOME=./home//"}})
		compare(t, setup{tty: [3]bool{false, true, false}, args: []string{"true"}, prep: blockCwd, env: []string{"HOME=home///"}})
	})
	t.Run("both fail: two messages, 125, command not run", func(t *testing.T) {
		r := compare(t, setup{tty: [3]bool{false, true, false}, args: []string{"touch", "ran"}, prep: blockCwd})
		if r.code != 125 || !strings.Contains(r.stderr, "failed to open 'nohup.out': Is a directory") {
			t.Errorf("got %v; want 125 and both failures", r)
		}
	})
	t.Run("POSIXLY_CORRECT makes it 127", func(t *testing.T) {
		r := compare(t, setup{tty: [3]bool{false, true, false}, args: []string{"true"}, prep: blockCwd, env: []string{"POSIXLY_CORRECT=1"}})
		if r.code != 127 {
			t.Errorf("status = %d; want 127", r.code)
		}
	})
	t.Run("HOME unset: one message", func(t *testing.T) {
		needGNU(t)
		for _, bin := range []string{gnuNohup, testbin.Path("nohupx")} {
			dir := t.TempDir()
			blockCwd(t, dir)
			cmd := exec.Command(bin, "true")
			cmd.Args[0] = "nohup"
			cmd.Dir = dir
			cmd.Env = []string{"PATH=/usr/bin:/bin"}
			master, slave, err := pty.Open()
			if err != nil {
				t.Fatal(err)
			}
			var stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = slave, &stderr
			cmd.Run()
			slave.Close()
			master.Close()
			if got, want := stderr.String(), "nohup: failed to open 'nohup.out': Is a directory\n"; got != want || cmd.ProcessState.ExitCode() != 125 {
				t.Errorf("%s with HOME unset: stderr %q status %d; want %q 125", bin, got, cmd.ProcessState.ExitCode(), want)
			}
		}
	})
}

func TestArguments(t *testing.T) {
	tests := [][]string{
		{"--bogus"}, {"-x"}, {}, {"--help=x"}, {"-"}, {"--"}, {"--", "--help"}, {"-h"},
		{"--version=1"}, {"-ab"}, {"---x"}, {"-", "x"}, {""}, {"--", "--", "x"},
		{"sh", "-c", "echo $0 $1 $#", "--help", "-v"}, {"grep", "--", "-v", "f"},
	}
	for _, args := range tests {
		for _, env := range [][]string{nil, {"POSIXLY_CORRECT="}} {
			t.Run(fmt.Sprintf("%q%v", args, env), func(t *testing.T) {
				t.Parallel()
				compare(t, setup{args: args, env: env})
			})
		}
	}
}

func TestHelpAndVersion(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"--hel"}, {"--h", "--bogus"}, {"--version"}, {"--v", "x"}, {"--ver", "--help"}} {
		r := run(t, testbin.Path("nohupx"), setup{args: args})
		if r.code != 0 || r.stdout == "" || r.stderr != "" {
			t.Errorf("nohupx %q: %v; want status 0 and text on stdout only", args, r)
		}
	}
	// A failed write of --help is GNU's "write error" and status 125.
	full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		t.Fatalf("no /dev/full: %v", err)
	}
	defer full.Close()
	for _, bin := range []string{gnuNohup, testbin.Path("nohupx")} {
		cmd := exec.Command(bin, "--help")
		cmd.Args[0] = "nohup"
		var stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = full, &stderr
		cmd.Run()
		if got := stderr.String(); cmd.ProcessState.ExitCode() != 125 || got != "nohup: write error: No space left on device\n" {
			t.Errorf("%s --help >/dev/full: status %d stderr %q; want 125 and a write error", bin, cmd.ProcessState.ExitCode(), got)
		}
	}
	// And to a closed stdout, which the Go runtime turns into /dev/null.
	for _, bin := range []string{gnuNohup, testbin.Path("nohupx")} {
		for _, opt := range []string{"--help", "--version"} {
			cmd := exec.Command("bash", "-c", `exec -a nohup "$0" "$1" >&-`, bin, opt)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			cmd.Run()
			if got := stderr.String(); cmd.ProcessState.ExitCode() != 125 || got != "nohup: write error: Bad file descriptor\n" {
				t.Errorf("%s %s >&-: status %d stderr %q; want 125 and a write error", bin, opt, cmd.ProcessState.ExitCode(), got)
			}
		}
	}
}

func TestHelpGolden(t *testing.T) {
	cmd := exec.Command(testbin.Path("nohupx"), "--help")
	cmd.Args[0] = "nohupx"
	got, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "help.golden")
	if os.Getenv("UPDATE_GOLDEN") != "" {
		os.WriteFile(golden, got, 0o644)
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("nohupx --help differs from %s (UPDATE_GOLDEN=1 rewrites it):\n%s", golden, got)
	}
}

// TestCommandLookup: execvp's search rules, compared with GNU nohup.
func TestCommandLookup(t *testing.T) {
	write := func(t *testing.T, path, text string, mode os.FileMode) {
		t.Helper()
		os.MkdirAll(filepath.Dir(path), 0o755)
		if err := os.WriteFile(path, []byte(text), mode); err != nil {
			t.Fatal(err)
		}
		os.Chmod(path, mode)
	}
	tests := []struct {
		name string
		args []string
		env  []string
		prep func(t *testing.T, dir string)
		code int
	}{
		{name: "not found", args: []string{"no-such-command"}, code: 127},
		{name: "not found with slash", args: []string{"./nope"}, code: 127},
		{name: "empty name", args: []string{""}, code: 127},
		{name: "not executable", args: []string{"/etc/passwd"}, code: 126},
		{name: "a directory", args: []string{"/tmp"}, code: 126},
		{name: "no #! runs through sh", args: []string{"./script", "a b"},
			prep: func(t *testing.T, d string) { write(t, d+"/script", "echo script ran with \"$1\"\n", 0o755) }},
		{name: "empty PATH element is the cwd", args: []string{"here"}, env: []string{"PATH=/nonexistent::/usr/bin"},
			prep: func(t *testing.T, d string) { write(t, d+"/here", "#!/bin/sh\necho cwd ran\n", 0o755) }},
		{name: "EACCES is remembered and the search goes on", args: []string{"tool"},
			env: []string{"PATH=DIR/a:DIR/b:/usr/bin:/bin"},
			prep: func(t *testing.T, d string) {
				write(t, d+"/a/tool", "#!/bin/sh\necho wrong\n", 0o644)
				write(t, d+"/b/tool", "#!/bin/sh\necho right\n", 0o755)
			}},
		{name: "EACCES is reported when nothing else is found", args: []string{"tool"},
			env: []string{"PATH=DIR/a:/nonexistent"}, code: 126,
			prep: func(t *testing.T, d string) { write(t, d+"/a/tool", "#!/bin/sh\necho wrong\n", 0o644) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			needGNU(t)
			var results []string
			var codes []int
			for _, bin := range []string{gnuNohup, testbin.Path("nohupx")} {
				dir := t.TempDir()
				if tt.prep != nil {
					tt.prep(t, dir)
				}
				cmd := exec.Command(bin, tt.args...)
				cmd.Args[0] = "nohup"
				cmd.Dir = dir
				cmd.Env = []string{"PATH=/usr/bin:/bin", "LC_ALL=C"}
				for _, e := range tt.env {
					cmd.Env = append(cmd.Env, strings.ReplaceAll(e, "DIR", dir))
				}
				out, _ := cmd.CombinedOutput()
				results = append(results, strings.ReplaceAll(string(out), dir, "DIR"))
				codes = append(codes, cmd.ProcessState.ExitCode())
			}
			if results[0] != results[1] || codes[0] != codes[1] || codes[1] != tt.code {
				t.Errorf("GNU: %d %q\nnohupx: %d %q\nwant status %d", codes[0], results[0], codes[1], results[1], tt.code)
			}
		})
	}
	t.Run("PATH unset means /bin:/usr/bin", func(t *testing.T) {
		cmd := exec.Command(testbin.Path("nohupx"), "true")
		cmd.Env = []string{}
		if err := cmd.Run(); err != nil {
			t.Errorf("nohupx true with PATH unset: %v; want it found in /bin:/usr/bin", err)
		}
	})
}

// TestExecFailureGoesToOriginalStderr: when stderr was a terminal and was
// redirected to nohup.out, "failed to run command" still reaches the user.
func TestExecFailureGoesToOriginalStderr(t *testing.T) {
	r := compare(t, setup{tty: [3]bool{true, true, true}, args: []string{"no-such-command"}})
	if !strings.Contains(r.term, "failed to run command 'no-such-command'") || strings.Contains(r.nohupOut, "failed") {
		t.Errorf("got %v; want the failure on the terminal, not in nohup.out", r)
	}
}

// TestExecFailureMessageFails: when "failed to run command" cannot be
// written, GNU nohup's close_stdout at exit finds stderr's error flag set
// and exits with nohup's own failure status instead of 126 or 127; a
// stderr closed at start is not written to, and the status stays.
func TestExecFailureMessageFails(t *testing.T) {
	needGNU(t)
	tests := []struct {
		redir string
		env   []string
		want  [2]int // for a missing command and for /etc/passwd
	}{
		{redir: "2>/dev/full", want: [2]int{125, 125}},
		{redir: "2>/dev/full", env: []string{"POSIXLY_CORRECT=1"}, want: [2]int{127, 127}},
		{redir: "2</dev/null", want: [2]int{125, 125}}, // a read-only fd 2: EBADF
		{redir: "2>&-", want: [2]int{127, 126}},
	}
	for _, tt := range tests {
		for i, command := range []string{"no-such-command", "/etc/passwd"} {
			for _, bin := range []string{gnuNohup, testbin.Path("nohupx")} {
				cmd := exec.Command("bash", "-c", `exec -a nohup "$0" "$1" `+tt.redir, bin, command)
				cmd.Env = append([]string{"PATH=/usr/bin:/bin", "LC_ALL=C"}, tt.env...)
				cmd.Run()
				if got := cmd.ProcessState.ExitCode(); got != tt.want[i] {
					t.Errorf("%s %s %s %v: status %d; want %d", bin, command, tt.redir, tt.env, got, tt.want[i])
				}
			}
		}
	}
}

// TestNoticeToBrokenPipe: with SIGPIPE ignored at start, a notice written
// to a pipe nobody reads fails with EPIPE, and nohup exits 125 without
// running the command, as GNU nohup does; with SIGPIPE at its default,
// both die of it. The Go runtime, which takes the signal over, would die
// of it in either case.
func TestNoticeToBrokenPipe(t *testing.T) {
	needGNU(t)
	for _, trap := range []string{"trap '' PIPE;", ""} {
		for _, bin := range []string{gnuNohup, testbin.Path("nohupx")} {
			dir := t.TempDir()
			master, tty, err := pty.Open()
			if err != nil {
				t.Fatal(err)
			}
			r, w, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			r.Close()
			cmd := exec.Command("bash", "-c", trap+` exec -a nohup "$0" touch ran`, bin)
			cmd.Dir = dir
			cmd.Stdin, cmd.Stderr = tty, w // "ignoring input" goes to the pipe
			cmd.Run()
			w.Close()
			tty.Close()
			master.Close()
			ws := cmd.ProcessState.Sys().(syscall.WaitStatus)
			got := statusText(ws)
			want := "exit 125"
			if trap == "" {
				want = "signal broken pipe"
			}
			_, ranErr := os.Stat(filepath.Join(dir, "ran"))
			if got != want || ranErr == nil {
				t.Errorf("%s%s touch ran, notice to a broken pipe: %s, ran %v; want %s and not run", trap, bin, got, ranErr == nil, want)
			}
		}
	}
}

func statusText(ws syscall.WaitStatus) string {
	if ws.Signaled() {
		return "signal " + ws.Signal().String()
	}
	return fmt.Sprintf("exit %d", ws.ExitStatus())
}

// TestNoticeWriteFailure: a notice that cannot be written stops nohup with
// 125 before the command runs.
func TestNoticeWriteFailure(t *testing.T) {
	needGNU(t)
	for _, bin := range []string{gnuNohup, testbin.Path("nohupx")} {
		dir := t.TempDir()
		master, slave, err := pty.Open()
		if err != nil {
			t.Fatal(err)
		}
		full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
		if err != nil {
			t.Fatalf("no /dev/full: %v", err)
		}
		cmd := exec.Command(bin, "touch", "ran")
		cmd.Dir = dir
		cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, &bytes.Buffer{}, full
		cmd.Run()
		slave.Close()
		master.Close()
		full.Close()
		if _, err := os.Stat(filepath.Join(dir, "ran")); err == nil || cmd.ProcessState.ExitCode() != 125 {
			t.Errorf("%s with stderr on /dev/full: status %d, command ran: %v; want 125 and not run",
				bin, cmd.ProcessState.ExitCode(), err == nil)
		}
	}
}

// TestExecInPlace: the command has nohupx's pid, so $! and wait work.
func TestExecInPlace(t *testing.T) {
	cmd := exec.Command(testbin.Path("nohupx"), "sh", "-c", "echo $$; exit 7")
	out, err := cmd.Output()
	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) || exitErr.ExitCode() != 7 {
		t.Fatalf("status = %v; want the command's 7", err)
	}
	if got, want := strings.TrimSpace(string(out)), fmt.Sprint(cmd.Process.Pid); got != want {
		t.Errorf("command pid = %s; want nohupx's pid %s", got, want)
	}
}

// procStatusField returns a field of /proc/self/status as the command saw
// it, run through bin (as nohupx) with args after the shell ran pre.
func procStatusField(t *testing.T, bin, field, pre string, args ...string) uint64 {
	t.Helper()
	script := pre + ` exec -a nohupx "$@"`
	cmd := exec.Command("bash", append([]string{"-c", script, "bash", bin}, args...)...)
	cmd.Args = append(cmd.Args, "grep", field+":", "/proc/self/status")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%v: %v", cmd.Args, err)
	}
	var v uint64
	if _, err := fmt.Sscanf(strings.TrimSpace(string(out)), field+":\t%x", &v); err != nil {
		t.Fatalf("parsing %q: %v", out, err)
	}
	return v
}

func bit(sig syscall.Signal) uint64 { return sigs.Mask(sig) }

func TestIgnoredSignals(t *testing.T) {
	hup, term, ttin, ttou, cont, tstp := bit(syscall.SIGHUP), bit(syscall.SIGTERM), bit(syscall.SIGTTIN), bit(syscall.SIGTTOU), bit(syscall.SIGCONT), bit(syscall.SIGTSTP)
	tests := []struct {
		args []string
		want uint64
	}{
		{nil, hup},
		{[]string{"--ignore=TERM,CONT"}, hup | term | cont},
		{[]string{"--ignore", "sigtstp"}, hup | tstp},
		{[]string{"--survive"}, hup | term | ttin | ttou},
	}
	for _, tt := range tests {
		if got := procStatusField(t, testbin.Path("nohupx"), "SigIgn", "", tt.args...); got != tt.want {
			t.Errorf("nohupx %q: SigIgn = %#x; want %#x", tt.args, got, tt.want)
		}
	}
}

// TestIgnoreEverySignal: every signal that --ignore accepts is ignored in
// the command, those the Go runtime will not give up through signal.Ignore
// (SIGPROF, SIGSTKFLT, 34) included; the others are refused.
func TestIgnoreEverySignal(t *testing.T) {
	bin := testbin.Path("nohupx")
	accepted := 0
	for sig := syscall.Signal(1); sig <= 64; sig++ {
		arg := fmt.Sprintf("--ignore=%d", sig)
		if err := sigs.CheckIgnorable(sig); err != nil {
			out, err := exec.Command(bin, "--no-record", arg, "true").CombinedOutput()
			if code := exitCode(err); code != 125 || !strings.HasPrefix(string(out), bin+": --ignore: ") {
				t.Errorf("nohupx %s: status %d, %q; want 125 and the usage error", arg, code, out)
			}
			continue
		}
		accepted++
		if got := procStatusField(t, bin, "SigIgn", "", "-q", "--no-record", arg); got != bit(syscall.SIGHUP)|bit(sig) {
			t.Errorf("nohupx %s: the command's SigIgn = %#x; want %#x", arg, got, bit(syscall.SIGHUP)|bit(sig))
		}
	}
	if accepted < 50 {
		t.Errorf("--ignore accepted %d signals of 64; want all but the few refused", accepted)
	}
}

// exitCode is the status of a command that ran, from exec's error.
func exitCode(err error) int {
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		return exitErr.ExitCode()
	}
	if err != nil {
		return -1
	}
	return 0
}

// TestClosedStdio: fds 0–2 closed at start, in every mix with terminals
// (t) and pipes (p), against GNU nohup: the notices, the status, where
// nohup.out goes, and which fds the command finds closed. In GNU mode
// (--no-rotate): the relay would put a pipe where GNU puts the file.
func TestClosedStdio(t *testing.T) {
	for mask := 0; mask < 27; mask++ {
		var tty, closed [3]bool
		name := ""
		for fd, m := 0, mask; fd < 3; fd, m = fd+1, m/3 {
			switch m % 3 {
			case 0:
				tty[fd], name = true, name+"t"
			case 1:
				closed[fd], name = true, name+"c"
			default:
				name += "p"
			}
		}
		if closed == [3]bool{} {
			continue
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := compare(t, setup{tty: tty, closed: closed, ours: []string{"--no-rotate"}, args: fdProbe})
			// Pinned as well, so that a change on both sides fails.
			switch name {
			case "pct": // nohup.out for stderr alone, stdout stays closed
				if !strings.HasSuffix(r.nohupOut, "err\n") || !strings.HasPrefix(r.fds, "pipe\nclosed\n") || !strings.HasSuffix(r.fds, "/nohup.out\n") {
					t.Errorf("closed stdout, terminal stderr: %v; want nohup.out on stderr only", r)
				}
			case "ptc": // a notice to a closed stderr fails
				if r.code != 125 {
					t.Errorf("closed stderr with a notice to write: %v; want 125", r)
				}
			}
		})
	}
	t.Run("default mode: closed stdout, terminal stderr", func(t *testing.T) {
		r := run(t, testbin.Path("nohupx"), setup{tty: [3]bool{false, false, true}, closed: [3]bool{false, true, false}, args: fdProbe})
		// The echo to the closed stdout fails, and sh says so on stderr.
		if r.code != 0 || r.nohupOut != "sh: 1: echo: echo: I/O error\nerr\n" || r.fds != "pipe\nclosed\npipe\n" {
			t.Errorf("got %v; want stderr through the relay into nohup.out, stdout closed", r)
		}
	})
}

// TestInheritedSignals: the ignores and the signal mask nohup was started
// with reach the command as with GNU nohup, those the Go runtime takes over
// (QUIT, TERM, PIPE, real-time signals, ...) included.
func TestInheritedSignals(t *testing.T) {
	needGNU(t)
	py := testbin.Need(t, "python3") // to start nohup with a mask and ignores
	script := `import os, signal, sys
for s in (signal.SIGTERM, signal.SIGQUIT, signal.SIGUSR1, signal.SIGINT, signal.SIGTSTP, signal.SIGCHLD, signal.SIGURG, 40):
    signal.signal(s, signal.SIG_IGN)
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGHUP, signal.SIGUSR2, signal.SIGWINCH, signal.SIGPROF, signal.SIGCHLD})
os.execv(sys.argv[1], sys.argv[2:])`
	status := []string{"grep", "-E", "^Sig(Ign|Blk):", "/proc/self/status"}
	for _, ours := range [][]string{{"--no-rotate"}, nil} {
		var got []string
		for _, bin := range []string{gnuNohup, testbin.Path("nohupx")} {
			args := append([]string{"-c", script, bin, "nohup"}, status...)
			if bin != gnuNohup {
				args = append(append([]string{"-c", script, bin, "nohup"}, ours...), status...)
			}
			out, err := exec.Command(py, args...).Output()
			if err != nil {
				t.Fatalf("%s: %v", bin, err)
			}
			got = append(got, string(out))
		}
		if got[0] != got[1] {
			t.Errorf("nohupx %q: %q; GNU nohup: %q", ours, got[1], got[0])
		}
	}
	// The shell's way, pinned: SigIgn is HUP from nohup, and the rest kept.
	want := bit(syscall.SIGHUP) | bit(syscall.SIGQUIT) | bit(syscall.SIGPIPE) | bit(syscall.SIGTERM)
	if got := procStatusField(t, testbin.Path("nohupx"), "SigIgn", "trap '' TERM QUIT PIPE;", "--no-rotate"); got != want {
		t.Errorf("trap '' TERM QUIT PIPE: SigIgn = %#x; want %#x", got, want)
	}
}

// TestSignalsAfterNotices: nohupx ignores SIGTTOU while it writes its
// notice to the terminal (so that `stty tostop` cannot stop it), and the
// command still gets the dispositions GNU nohup gives it: SIGHUP ignored,
// SIGTTOU not.
func TestSignalsAfterNotices(t *testing.T) {
	needGNU(t)
	probe := setup{tty: [3]bool{true, true, true}, args: []string{"grep", "SigIgn:", "/proc/self/status"}}
	gnu := run(t, gnuNohup, probe)
	ours := run(t, testbin.Path("nohupx"), probe)
	if ours.term == "" || ours.nohupOut != gnu.nohupOut {
		t.Errorf("the command's %q after nohupx's notice %q; GNU nohup gives %q", ours.nohupOut, ours.term, gnu.nohupOut)
	}
}

// TestSignalMaskKept: the command gets the signal mask nohupx was given,
// as from GNU nohup, both where every thread of nohupx still has that mask
// and where the Go runtime unblocked part of it (TERM, which it must be
// able to receive) and one thread has to get it back before the exec.
func TestSignalMaskKept(t *testing.T) {
	if !entry.HasEntryPoint(runtime.GOOS, runtime.GOARCH) {
		t.Skipf("no entry point for %s/%s", runtime.GOOS, runtime.GOARCH)
	}
	py := testbin.Need(t, "python3") // bash cannot block a signal for a command
	gnu := testbin.Need(t, "nohup")
	script := `import os, signal, sys
signal.pthread_sigmask(signal.SIG_BLOCK, {int(s) for s in sys.argv[1].split(",") if s})
os.execv(sys.argv[2], sys.argv[3:])`
	mask := func(bin, arg0, blocked string) string {
		t.Helper()
		args := []string{"-c", script, blocked, bin, arg0, "grep", "SigBlk:", "/proc/self/status"}
		out, err := exec.Command(py, args...).Output()
		if err != nil {
			t.Fatalf("%s with %q blocked: %v", arg0, blocked, err)
		}
		return strings.TrimSpace(string(out))
	}
	for _, blocked := range []string{
		"",
		fmt.Sprintf("%d,%d", syscall.SIGUSR1, syscall.SIGWINCH),
		fmt.Sprintf("%d,%d,%d", syscall.SIGUSR1, syscall.SIGWINCH, syscall.SIGTERM),
	} {
		want := mask(gnu, "nohup", blocked)
		if got := mask(testbin.Path("nohupx"), "nohupx", blocked); got != want {
			t.Errorf("signals %q blocked: the command has %q; GNU nohup gives %q", blocked, got, want)
		}
	}
}

// TestBuiltWithEntryPoint: the binary the tests run is linked as the
// release is, with internal/entry's entry point, where there is one.
func TestBuiltWithEntryPoint(t *testing.T) {
	if !entry.HasEntryPoint(runtime.GOOS, runtime.GOARCH) {
		t.Skipf("no entry point for %s/%s", runtime.GOOS, runtime.GOARCH)
	}
	f, err := elf.Open(testbin.Path("nohupx"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	syms, err := f.Symbols()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range syms {
		if s.Name == "_rt0_nohupx_linux" {
			if s.Value != f.Entry {
				t.Errorf("ELF entry %#x; want _rt0_nohupx_linux at %#x", f.Entry, s.Value)
			}
			return
		}
	}
	t.Errorf("no _rt0_nohupx_linux in %s", testbin.Path("nohupx"))
}

// TestWithoutEntryPoint pins what a build without the entry point (a plain
// go build or go install, or a system that has none) still does: the Go
// runtime's changes before main reach the command.
func TestWithoutEntryPoint(t *testing.T) {
	plain := testbin.Program(t, "github.com/nohupx/nohupx/cmd/nohupx", "nohupx-plain")
	t.Run("inherited ignores", func(t *testing.T) {
		got := procStatusField(t, plain, "SigIgn", "trap '' INT QUIT TERM PIPE TSTP;")
		kept := bit(syscall.SIGHUP) | bit(syscall.SIGINT) | bit(syscall.SIGTSTP)
		if got != kept {
			t.Errorf("SigIgn = %#x; want %#x (HUP from nohupx, INT and TSTP kept; QUIT, TERM, PIPE lost)", got, kept)
		}
	})
	t.Run("closed stdout is /dev/null", func(t *testing.T) {
		// GNU nohup would open nohup.out here; the runtime put /dev/null
		// on the closed stdout, so the output is discarded and no
		// nohup.out appears.
		dir := t.TempDir()
		cmd := exec.Command("bash", "-c", `exec -a nohupx "$@" >&-`, "bash", plain, "sleep", "5")
		cmd.Dir = dir
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		defer cmd.Wait()
		defer cmd.Process.Kill()
		// Same pid all along: bash execs nohupx, which execs sleep.
		proc := fmt.Sprintf("/proc/%d/", cmd.Process.Pid)
		for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
			if comm, _ := os.ReadFile(proc + "comm"); string(comm) == "sleep\n" {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the command never started")
			}
		}
		if target, err := os.Readlink(proc + "fd/1"); err != nil || target != "/dev/null" {
			t.Errorf("closed stdout became %q, %v; want /dev/null", target, err)
		}
		if _, err := os.Stat(filepath.Join(dir, "nohup.out")); err == nil {
			t.Error("nohup.out was created for a closed stdout")
		}
	})
	t.Run("signal mask", func(t *testing.T) {
		py := testbin.Need(t, "python3") // to start nohupx with a blocked signal
		script := `import os, signal, sys
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1, signal.SIGWINCH, signal.SIGTERM})
os.execv(sys.argv[1], sys.argv[2:])`
		out, err := exec.Command(py, "-c", script, plain, "nohupx", "grep", "SigBlk:", "/proc/self/status").Output()
		if err != nil {
			t.Fatal(err)
		}
		var got uint64
		fmt.Sscanf(strings.TrimSpace(string(out)), "SigBlk:\t%x", &got)
		if want := bit(syscall.SIGUSR1) | bit(syscall.SIGWINCH); got != want {
			t.Errorf("SigBlk = %#x; want %#x (USR1, WINCH kept; TERM unblocked by the runtime)", got, want)
		}
	})
}

func TestQuietAndOutput(t *testing.T) {
	bin := testbin.Path("nohupx")
	r := run(t, bin, setup{tty: [3]bool{true, true, true}, args: []string{"-q", "echo", "hi"}})
	if r.code != 0 || r.term != "" || r.nohupOut != "hi\n" {
		t.Errorf("-q: %v; want no notice and the output in nohup.out", r)
	}
	dir := t.TempDir()
	r = run(t, bin, setup{tty: [3]bool{false, true, true}, args: []string{"--output", "my log", "sh", "-c", "echo out; echo err >&2"}, dir: dir})
	settle(t, filepath.Join(dir, "my log"))
	b, _ := os.ReadFile(filepath.Join(dir, "my log"))
	if r.term != "nohup: appending output to 'my log'\n" || string(b) != "out\nerr\n" || r.nohupOut != "<none>" {
		t.Errorf("--output: %v, file %q; want the notice naming 'my log' and both lines in it", r, b)
	}
	st, err := os.Stat(filepath.Join(dir, "my log"))
	if err != nil || st.Mode() != 0o600 {
		t.Errorf("--output file mode = %v, %v; want -rw-------", st, err)
	}
	r = run(t, bin, setup{tty: [3]bool{false, true, false}, args: []string{"-o", "/nonexistent/x", "true"}})
	if r.code != 125 || r.stderr != "nohup: failed to open '/nonexistent/x': No such file or directory\n" {
		t.Errorf("--output to a missing dir: %v; want one message and 125", r)
	}
}

// TestOutputNotATerminal: -o FILE follows GNU's rule, redirecting only a
// terminal stdout, but says so, -q or not, when FILE goes unused.
func TestOutputNotATerminal(t *testing.T) {
	const unused = "nohup: warning: output not redirected to 'x.log': standard output is not a terminal; --all-stdio redirects it anyway\n"
	tests := []struct {
		tty          [3]bool
		args         []string
		stdout, term string // what reaches the pipe and the terminal
		stderr       string
		file         string // x.log, or "<none>"
	}{
		{args: []string{"-o", "x.log", "echo", "hi"}, stdout: "hi\n", stderr: unused, file: "<none>"},
		{args: []string{"-q", "--output=x.log", "echo", "hi"}, stdout: "hi\n", stderr: unused, file: "<none>"},
		{args: []string{"echo", "hi"}, stdout: "hi\n", file: "<none>"},
		{tty: [3]bool{false, false, true}, args: []string{"-o", "x.log", "echo", "hi"}, stdout: "hi\n",
			term: "nohup: redirecting stderr to stdout\n" + unused, file: "<none>"},
		{args: []string{"--all-stdio", "-q", "-o", "x.log", "echo", "hi"}, file: "hi\n"},
		{tty: [3]bool{false, true, false}, args: []string{"-q", "-o", "x.log", "echo", "hi"}, file: "hi\n"},
	}
	for _, tt := range tests {
		dir := t.TempDir()
		r := run(t, testbin.Path("nohupx"), setup{tty: tt.tty, args: append([]string{"--no-record"}, tt.args...), dir: dir})
		settle(t, filepath.Join(dir, "x.log"))
		file := "<none>"
		if b, err := os.ReadFile(filepath.Join(dir, "x.log")); err == nil {
			file = string(b)
		}
		if r.code != 0 || r.stdout != tt.stdout || r.stderr != tt.stderr || r.term != tt.term || file != tt.file {
			t.Errorf("nohupx %q with terminals %v: %v, x.log %q; want stdout %q, stderr %q, terminal %q, x.log %q",
				tt.args, tt.tty, r, file, tt.stdout, tt.stderr, tt.term, tt.file)
		}
	}
}

// TestAllStdio: for 'ssh host "nohupx --all-stdio cmd &"' the channel's
// pipes must be released when the command starts, not when it ends.
func TestAllStdio(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command(testbin.Path("nohupx"), "--all-stdio", "sh", "-c", "read x || echo no-input; echo out; echo err >&2; sleep 3; echo late")
	cmd.Dir = dir
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	done := make(chan string)
	go func() {
		a, _ := io.ReadAll(stdout)
		b, _ := io.ReadAll(stderr)
		done <- string(a) + "|" + string(b)
	}()
	got := <-done
	if b, _ := os.ReadFile(filepath.Join(dir, "nohup.out")); strings.Contains(string(b), "late") {
		t.Fatal("the pipes were released only when the command ended")
	}
	prog := testbin.Path("nohupx")
	if want := "|" + prog + ": ignoring input and appending output to 'nohup.out'\n" +
		prog + ": 'nohup.out' is " + logrot.DefaultPolicy.String() + "; follow it with tail -F\n"; got != want {
		t.Errorf("pipes got %q; want %q", got, want)
	}
	cmd.Wait()
	settle(t, filepath.Join(dir, "nohup.out"))
	b, _ := os.ReadFile(filepath.Join(dir, "nohup.out"))
	if string(b) != "no-input\nout\nerr\nlate\n" {
		t.Errorf("nohup.out = %q", b)
	}
}

func TestWarnings(t *testing.T) {
	bin := testbin.Path("nohupx")
	// nohupx itself is a Go program: a fine subject.
	out, err := exec.Command(bin, "--ignore=TERM", bin, "--version").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "is a Go program: the Go runtime resets SIGTERM") {
		t.Errorf("--ignore=TERM on a Go program: %q, %v; want the Go warning", out, err)
	}
	out, _ = exec.Command(bin, "--ignore=TERM", "true").CombinedOutput()
	if strings.Contains(string(out), "warning") {
		t.Errorf("warning for a C program: %q", out)
	}
	out, _ = exec.Command(bin, bin, "--version").CombinedOutput()
	if strings.Contains(string(out), "warning") {
		t.Errorf("warning for a Go program without TERM ignored: %q", out)
	}
	dir := t.TempDir()
	script := filepath.Join(dir, "app")
	os.WriteFile(script, []byte("#!/usr/bin/env node\n"), 0o755)
	out, _ = exec.Command(bin, script).CombinedOutput()
	if !strings.Contains(string(out), "runs on Node.js, which resets SIGHUP and SIGTERM") {
		t.Errorf("node script: %q; want the Node.js warning", out)
	}
}
