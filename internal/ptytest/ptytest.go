// Package ptytest drives a real interactive shell on a real pseudo-terminal,
// for end-to-end tests of what happens to jobs when a login ends.
//
// Synopsis:
//
//	sh := ptytest.Bash(t, dir, nil) // bash --login --noprofile --norc -i
//	sh.Sync()                       // the shell reads commands
//	sh.Send("sleep 100 &\r")
//	sh.Hangup()                     // the kernel sends SIGHUP, as when ssh drops
//	sh.Wait(5 * time.Second)
//
// The shell is a session leader whose controlling terminal is the pty, so
// job control, ^Z, SIGTTIN/SIGTTOU and the hangup on close are the kernel's
// own. Match on what commands print, never on the echoed input: send
// `echo M$((40+2))` and expect `M42`; Sync does exactly that.
//
// The transcript is logged when the test fails. Everything the shell started
// is killed when the test ends: every process whose environment carries this
// terminal's marker variable, whatever session or group it moved to.
package ptytest

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"
)

// Marker is the environment variable set in every shell this package starts;
// its value is unique per terminal.
const Marker = "PTYTEST_ID"

// Timeout is how long Expect and Sync wait by default.
var Timeout = 15 * time.Second

// Config says what to run on the terminal.
type Config struct {
	Path string   // the program, looked up in PATH if it has no slash
	Args []string // argv[1:]
	Dir  string   // working directory
	Env  []string // the whole environment; Marker is added
	// Ready matches what the shell prints when it waits for a command
	// line: its prompt. Sync waits for it, so that what follows reaches
	// an idle shell. Nil: Sync waits only for the command's output.
	Ready *regexp.Regexp
}

// Term is a program running on a pty as a session leader.
type Term struct {
	t      testing.TB
	cmd    *exec.Cmd
	master *os.File // non-blocking, owned by the Go poller: Close really closes
	id     string

	mu      sync.Mutex
	out     []byte
	cursor  int           // Expect searches out[cursor:]
	changed chan struct{} // closed and replaced on new output or EOF
	eof     bool
	hungup  bool
	syncs   int
	ready   *regexp.Regexp

	done    chan struct{} // closed when the program has exited
	waitErr error
}

var seq struct {
	sync.Mutex
	n int
}

// Start runs c on a new pty. The program is made a session leader
// (setsid) and the pty its controlling terminal (TIOCSCTTY on fd 0).
func Start(t testing.TB, c Config) *Term {
	t.Helper()
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Fatalf("ptytest: open pty: %v", err)
	}
	defer tty.Close()
	// Wide enough that no command line wraps, so transcripts stay readable.
	if err := pty.Setsize(ptmx, &pty.Winsize{Rows: 50, Cols: 256}); err != nil {
		ptmx.Close()
		t.Fatalf("ptytest: set size: %v", err)
	}
	// creack/pty's master is blocking: Close() while a goroutine sits in
	// Read leaves the fd open, so the hangup would never arrive. A
	// non-blocking duplicate is taken over by the poller, whose Close
	// wakes the reader and then really closes. CLOEXEC so that no other
	// process (a parallel test's shell) keeps a copy of the master.
	fd, err := unix.FcntlInt(ptmx.Fd(), unix.F_DUPFD_CLOEXEC, 0)
	if err == nil {
		err = unix.SetNonblock(fd, true)
	}
	ptmx.Close()
	if err != nil {
		t.Fatalf("ptytest: dup master: %v", err)
	}
	seq.Lock()
	seq.n++
	id := fmt.Sprintf("%d-%d-%d", os.Getpid(), seq.n, time.Now().UnixNano())
	seq.Unlock()

	cmd := exec.Command(c.Path, c.Args...)
	cmd.Dir = c.Dir
	cmd.Env = append(append([]string(nil), c.Env...), Marker+"="+id)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, tty, tty
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	p := &Term{
		t:       t,
		cmd:     cmd,
		master:  os.NewFile(uintptr(fd), "ptmx"),
		id:      id,
		ready:   c.Ready,
		changed: make(chan struct{}),
		done:    make(chan struct{}),
	}
	if err := cmd.Start(); err != nil {
		p.master.Close()
		t.Fatalf("ptytest: start %s: %v", c.Path, err)
	}
	go p.read()
	go func() { p.waitErr = cmd.Wait(); close(p.done) }()
	t.Cleanup(p.cleanup)
	return p
}

func (p *Term) read() {
	buf := make([]byte, 4096)
	for {
		n, err := p.master.Read(buf)
		p.mu.Lock()
		p.out = append(p.out, buf[:n]...)
		if err != nil {
			p.eof = true // EIO once no slave is open, ErrClosed after Hangup
		}
		close(p.changed)
		p.changed = make(chan struct{})
		p.mu.Unlock()
		if err != nil {
			return
		}
	}
}

// Pid is the program's pid, which is also its session and group id.
func (p *Term) Pid() int { return p.cmd.Process.Pid }

// Send writes s to the terminal, as typed: end lines with "\r", ^Z is "\x1a".
func (p *Term) Send(s string) {
	p.t.Helper()
	if _, err := p.master.Write([]byte(s)); err != nil {
		p.t.Fatalf("ptytest: send %q: %v", s, err)
	}
}

// Match waits until re matches the output after the previous match and
// returns the submatches, consuming the output up to the end of the match.
// It returns nil after timeout, or once the terminal can give no more output.
func (p *Term) Match(re *regexp.Regexp, timeout time.Duration) []string {
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		p.mu.Lock()
		loc := re.FindSubmatchIndex(p.out[p.cursor:])
		if loc != nil {
			var m []string
			for i := 0; i < len(loc); i += 2 {
				if loc[i] < 0 {
					m = append(m, "")
					continue
				}
				m = append(m, string(p.out[p.cursor+loc[i]:p.cursor+loc[i+1]]))
			}
			p.cursor += loc[1]
			p.mu.Unlock()
			return m
		}
		ch, eof := p.changed, p.eof
		p.mu.Unlock()
		if eof {
			return nil
		}
		select {
		case <-ch:
		case <-timer.C:
			return nil
		}
	}
}

// Expect is Match that fails the test when nothing matches in time.
func (p *Term) Expect(re *regexp.Regexp, timeout time.Duration) []string {
	p.t.Helper()
	m := p.Match(re, timeout)
	if m == nil {
		p.t.Fatalf("ptytest: no match for %q within %v; output since the last match:\n%s",
			re, timeout, Printable(p.pending()))
	}
	return m
}

// ExpectString is Expect for a literal substring.
func (p *Term) ExpectString(s string, timeout time.Duration) {
	p.t.Helper()
	p.Expect(regexp.MustCompile(regexp.QuoteMeta(s)), timeout)
}

// Sync runs `echo SYNC$((N+1))` and waits for its output, which proves the
// shell has read and run everything sent before, and then for the prompt.
func (p *Term) Sync() {
	p.t.Helper()
	p.syncs++
	n := 1000 + 2*p.syncs
	p.Send(fmt.Sprintf("echo SYNC$((%d+1))\r", n-1))
	p.Expect(regexp.MustCompile(fmt.Sprintf(`SYNC%d\b`, n)), Timeout)
	if p.ready != nil {
		p.Expect(p.ready, Timeout)
	}
}

// Hangup closes the master, the only copy of it: the kernel hangs the
// terminal up and sends SIGHUP and SIGCONT to the session leader and to the
// foreground process group. Calling it again does nothing.
func (p *Term) Hangup() {
	p.mu.Lock()
	already := p.hungup
	p.hungup = true
	p.mu.Unlock()
	if !already {
		p.master.Close()
	}
}

// Exited reports whether the program has exited.
func (p *Term) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Wait waits up to timeout for the program to exit and returns its wait
// status error (nil for status 0), or an error if it is still running.
func (p *Term) Wait(timeout time.Duration) error {
	select {
	case <-p.done:
		return p.waitErr
	case <-time.After(timeout):
		return fmt.Errorf("ptytest: pid %d still running after %v", p.Pid(), timeout)
	}
}

// Done is closed when the program has exited.
func (p *Term) Done() <-chan struct{} { return p.done }

// Transcript is everything the terminal printed so far.
func (p *Term) Transcript() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return string(p.out)
}

func (p *Term) pending() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.out[p.cursor:]
	if len(s) > 2000 {
		s = s[len(s)-2000:]
	}
	return string(s)
}

// Printable shows control characters in caret notation (^Z, ^M) and turns
// CRLF into a newline, so that a transcript can be logged.
func Printable(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	var b bytes.Buffer
	for _, r := range s {
		switch {
		case r == '\n' || r == '\t':
			b.WriteRune(r)
		case r < 0x20:
			b.WriteByte('^')
			b.WriteRune(r + '@')
		case r == 0x7f:
			b.WriteString("^?")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func (p *Term) cleanup() {
	if p.t.Failed() {
		p.t.Logf("transcript of %s (pid %d):\n%s", p.cmd.Path, p.Pid(), Printable(p.Transcript()))
	}
	p.Hangup()
	if !p.Exited() {
		syscall.Kill(-p.Pid(), syscall.SIGKILL)
	}
	KillMarked(p.id)
	if err := p.Wait(10 * time.Second); err != nil && !p.Exited() {
		p.t.Errorf("ptytest: %v even after SIGKILL", err)
	}
}
