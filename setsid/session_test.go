package setsid_test

// Where the command ends up: its session, its group, whether it was forked,
// its controlling terminal; and how the waiting parent dies of a signal.

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"

	"github.com/nohupx/nohupx/internal/procfs"
	"github.com/nohupx/nohupx/internal/testbin"
	"github.com/nohupx/nohupx/setsid"
)

// parseStat parses a /proc/PID/stat line a command printed.
func parseStat(s string) (procfs.Stat, error) { return procfs.ParseStat([]byte(s)) }

// TestSession: the command is the leader of a new session and of its
// group, and it was forked exactly when util-linux forks: when setsid was
// a process-group leader, or with -f.
func TestSession(t *testing.T) {
	for _, impl := range implementations(t) {
		for _, leader := range []bool{false, true} {
			for _, flags := range [][]string{nil, {"-f"}, {"-w"}, {"-fw"}, {"--fork", "--wait"}} {
				name := fmt.Sprintf("%s/leader=%v/%s", impl.name, leader, strings.Join(flags, " "))
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					c := call{leader: leader, args: append(append([]string{}, flags...), "cat", "/proc/self/stat")}
					r := c.run(t, impl.path)
					st, err := parseStat(r.stdout)
					if err != nil || r.status != "exit 0" {
						t.Fatalf("%s: %s, %v, stderr %q", name, r.status, err, r.stderr)
					}
					if st.Session != st.Pid || st.PGRP != st.Pid {
						t.Errorf("%s: command pid %d has sid %d, pgrp %d; want both %d", name, st.Pid, st.Session, st.PGRP, st.Pid)
					}
					if st.TTYNr != 0 {
						t.Errorf("%s: command tty_nr = %d; want 0 without -c", name, st.TTYNr)
					}
					forked := st.Pid != r.pid
					wantFork := leader || strings.Contains(strings.Join(flags, " "), "f")
					if forked != wantFork {
						t.Errorf("%s: command pid %d, setsid pid %d: forked = %v; want %v", name, st.Pid, r.pid, forked, wantFork)
					}
					waited := strings.Contains(strings.Join(flags, " "), "w")
					if forked && waited && st.PPID != r.pid {
						t.Errorf("%s: forked command's ppid = %d; want setsid %d, which waits", name, st.PPID, r.pid)
					}
				})
			}
		}
	}
}

// ttyNr is how /proc/PID/stat encodes the terminal f (new_encode_dev).
func ttyNr(t *testing.T, f *os.File) int {
	t.Helper()
	var st unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &st); err != nil {
		t.Fatal(err)
	}
	major, minor := unix.Major(uint64(st.Rdev)), unix.Minor(uint64(st.Rdev)) // int32 on darwin
	return int(minor&0xff | major<<8 | (minor&^0xff)<<12)
}

func openPty(t *testing.T) (master, tty *os.File) {
	t.Helper()
	master, tty, err := pty.Open()
	if err != nil {
		t.Fatalf("no pty: %v", err)
	}
	t.Cleanup(func() { tty.Close(); master.Close() })
	return master, tty
}

// TestControllingTerminal: with -c the command's controlling terminal
// is its stdin, in place and forked; without -c it has none.
func TestControllingTerminal(t *testing.T) {
	for _, impl := range implementations(t) {
		for _, tc := range []struct {
			args   []string
			leader bool
			ctty   bool
		}{
			{[]string{"-c"}, false, true},
			{[]string{"-fc"}, false, true},
			{[]string{"-c", "-w"}, true, true},
			{[]string{"--ctty", "--fork", "--wait"}, false, true},
			{nil, false, false},
			{[]string{"-f"}, false, false},
		} {
			name := fmt.Sprintf("%s/leader=%v/%s", impl.name, tc.leader, strings.Join(tc.args, " "))
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				_, tty := openPty(t)
				c := call{leader: tc.leader, stdin: tty, args: append(append([]string{}, tc.args...), "cat", "/proc/self/stat")}
				r := c.run(t, impl.path)
				st, err := parseStat(r.stdout)
				if err != nil || r.status != "exit 0" || r.stderr != "" {
					t.Fatalf("%s: %s, %v, stderr %q", name, r.status, err, r.stderr)
				}
				want := 0
				if tc.ctty {
					want = ttyNr(t, tty)
				}
				if st.TTYNr != want || st.Session != st.Pid {
					t.Errorf("%s: command tty_nr %d, sid %d, pid %d; want tty_nr %d and sid == pid", name, st.TTYNr, st.Session, st.Pid, want)
				}
			})
		}
	}
}

// TestStealTerminal: util-linux asks TIOCSCTTY to steal (arg 1), so as
// root -c takes a terminal that is another session's, and that session
// loses it; without the privilege both fail alike.
func TestStealTerminal(t *testing.T) {
	impls := implementations(t)
	type outcome struct {
		status, stderr   string
		cmdTTY, holderTT int
	}
	results := map[string]outcome{}
	for _, impl := range impls {
		_, tty := openPty(t)
		holder := exec.Command("sleep", "30")
		holder.Stdin = tty
		holder.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
		if err := holder.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = syscall.Kill(-holder.Process.Pid, syscall.SIGKILL); _ = holder.Wait() })
		holderStat := func() procfs.Stat {
			b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", holder.Process.Pid))
			if err != nil {
				t.Fatal(err)
			}
			st, err := parseStat(string(b))
			if err != nil {
				t.Fatal(err)
			}
			return st
		}
		if got, want := holderStat().TTYNr, ttyNr(t, tty); got != want {
			t.Fatalf("holder tty_nr = %d; want %d", got, want)
		}
		r := call{stdin: tty, args: []string{"-c", "cat", "/proc/self/stat"}}.run(t, impl.path)
		o := outcome{status: r.status, stderr: r.stderr, holderTT: holderStat().TTYNr}
		if st, err := parseStat(r.stdout); err == nil {
			o.cmdTTY = st.TTYNr
			if o.cmdTTY != 0 {
				o.cmdTTY = 1 // the numbers differ between the two ptys
			}
		}
		if o.holderTT != 0 {
			o.holderTT = 1
		}
		results[impl.name] = o
	}
	ref, got := results[impls[0].name], results[impls[1].name]
	if got != ref {
		t.Errorf("setsid -c on another session's terminal = %+v; want %+v (util-linux)", got, ref)
	}
	if os.Geteuid() == 0 && (ref.cmdTTY != 1 || ref.holderTT != 0) {
		t.Errorf("as root, util-linux did not steal the terminal: %+v", ref)
	}
}

// TestParentSignals: the parent waiting with -w dies of SIGQUIT,
// SIGABRT and SIGTERM as the C program does, without a goroutine dump.
func TestParentSignals(t *testing.T) {
	for _, impl := range implementations(t) {
		for _, sig := range []syscall.Signal{syscall.SIGQUIT, syscall.SIGABRT, syscall.SIGTERM, syscall.SIGINT} {
			name := impl.name + "/" + unix.SignalName(sig)
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				dir := t.TempDir()
				pidfile := filepath.Join(dir, "pid")
				cmd := exec.Command(impl.path, "-fw", "sh", "-c", `echo $$ >"$0.tmp" && mv "$0.tmp" "$0" && exec sleep 30`, pidfile)
				cmd.Dir = dir
				cmd.Env = baseEnv
				// A file, not a pipe: the command keeps its stderr open.
				stderr, err := os.CreateTemp(dir, "stderr")
				if err != nil {
					t.Fatal(err)
				}
				defer stderr.Close()
				cmd.Stderr = stderr
				cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				waited := false
				t.Cleanup(func() {
					_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
					if !waited {
						_ = cmd.Wait()
					}
				})
				var child int
				for deadline := time.Now().Add(10 * time.Second); child == 0; {
					if b, err := os.ReadFile(pidfile); err == nil {
						child, _ = strconv.Atoi(strings.TrimSpace(string(b)))
					} else if time.Now().After(deadline) {
						t.Fatalf("%s: the command never wrote %s", name, pidfile)
					} else {
						time.Sleep(10 * time.Millisecond)
					}
				}
				t.Cleanup(func() { _ = syscall.Kill(-child, syscall.SIGKILL) })
				if err := cmd.Process.Signal(sig); err != nil {
					t.Fatal(err)
				}
				_ = cmd.Wait()
				waited = true
				ws := cmd.ProcessState.Sys().(syscall.WaitStatus)
				msg, _ := os.ReadFile(stderr.Name())
				if !ws.Signaled() || ws.Signal() != sig || len(msg) != 0 {
					t.Errorf("%s: setsid -w sent %v = %s, stderr %q; want killed by that signal, silent", name, sig, statusOf(ws), head(msg))
				}
				if err := syscall.Kill(child, 0); err != nil {
					t.Errorf("%s: the command %d died with its parent: %v", name, child, err)
				}
			})
		}
	}
}

// head shortens a goroutine dump for an error message.
func head(b []byte) string {
	if len(b) > 200 {
		return string(b[:200]) + "..."
	}
	return string(b)
}

// TestChildStageByHand: the forked child's stage, run by hand, is not a
// session leader: it refuses rather than run the program in its caller's
// session.
func TestChildStageByHand(t *testing.T) {
	c := exec.Command(testbin.Path("setsid"), "true")
	c.Args[0] = setsid.ChildStage
	c.Args = append(c.Args[:1], "setsid", "sh", "-c", "echo ran")
	out, err := c.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 125 || string(out) != "nohupx: the setsid child is started by setsid, not by hand\n" {
		t.Errorf("%s by hand = %v %q; want 125 and the refusal", setsid.ChildStage, err, out)
	}
}
