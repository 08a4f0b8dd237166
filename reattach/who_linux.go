package reattach

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/nohupx/nohupx/internal/procfs"
)

// linuxWho names the deleter through fanotify when it can (root, Linux
// 5.9+), and otherwise hints: the cleaners running at that moment, and a
// systemd-tmpfiles-clean run around that time. inotify alone gives the time
// and the name, never the pid.
type linuxWho struct {
	proc string
	fan  *fanotifier
}

func newAttributor(logf func(string, ...any)) attributor {
	a := &linuxWho{proc: "/proc"}
	if unix.Geteuid() != 0 {
		logf("not root: deletions are logged with the time and a hint; naming the deleter needs root (fanotify)")
		return a
	}
	fan, err := newFanotifier(a.proc)
	if err != nil {
		logf("fanotify unavailable (%v): deletions are logged with the time and a hint", err)
		return a
	}
	a.fan = fan
	return a
}

func (a *linuxWho) Watch(dir string) {
	if a.fan != nil {
		a.fan.Mark(dir)
	}
}

func (a *linuxWho) Close() {
	if a.fan != nil {
		a.fan.Close()
	}
}

func (a *linuxWho) Who(path string, at time.Time) string {
	// Short-lived deleters (rm) are gone within milliseconds: look first.
	found := a.suspects()
	if a.fan != nil {
		if who, ok := a.fan.Wait(path, at, 250*time.Millisecond); ok {
			return "by " + who
		}
	}
	if h := joinHints(suspectLine(found), runHint(at, tmpfilesRuns())); h != "" {
		return h
	}
	if a.fan != nil {
		return "deleter unknown (fanotify did not report it)"
	}
	return "deleter unknown (inotify gives no pid; as root, fanotify names it)"
}

// suspects lists the cleaners running now, with their command lines
// (both are world-readable in /proc).
func (a *linuxWho) suspects() []string {
	ents, _ := os.ReadDir(a.proc)
	var out []string
	for _, e := range ents {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		comm, err := os.ReadFile(filepath.Join(a.proc, e.Name(), "comm"))
		if err != nil || !slices.Contains(cleaners, strings.TrimSpace(string(comm))) {
			continue
		}
		out = append(out, fmt.Sprintf("%s (pid %s)", cmdline(a.proc, e.Name()), e.Name()))
	}
	return out
}

// describeProc names a process as fully as /proc still allows: comm,
// executable, command line and parent. Called the moment the event is
// read, because an rm is gone within milliseconds.
func describeProc(proc string, pid int) string {
	if pid <= 0 {
		return "a process fanotify did not name"
	}
	if pid == os.Getpid() {
		return "reattach-sock itself"
	}
	p := strconv.Itoa(pid)
	comm, err := os.ReadFile(filepath.Join(proc, p, "comm"))
	if err != nil {
		return fmt.Sprintf("pid %d (exited before it could be examined)", pid)
	}
	s := fmt.Sprintf("%s (pid %d", strings.TrimSpace(string(comm)), pid)
	b, _ := os.ReadFile(filepath.Join(proc, p, "stat"))
	if statState(b) == "Z" {
		s += ", already exited"
	}
	if exe, err := os.Readlink(filepath.Join(proc, p, "exe")); err == nil {
		s += ", " + exe
	}
	if cmd := cmdline(proc, p); cmd != "" {
		s += fmt.Sprintf(", command %q", cmd)
	}
	if len(b) > 0 {
		if st, err := procfs.ParseStat(b); err == nil && st.PPID > 0 {
			pc, _ := os.ReadFile(filepath.Join(proc, strconv.Itoa(st.PPID), "comm"))
			s += fmt.Sprintf(", parent %s pid %d", strings.TrimSpace(string(pc)), st.PPID)
		}
	}
	return s + ")"
}

func cmdline(proc, pid string) string {
	b, _ := os.ReadFile(filepath.Join(proc, pid, "cmdline"))
	s := string(bytes.ReplaceAll(bytes.TrimRight(b, "\x00"), []byte{0}, []byte{' '}))
	if len(s) > 120 {
		s = s[:117] + "..."
	}
	return s
}

// tmpfilesRuns asks systemd (system and user managers) when
// systemd-tmpfiles-clean last ran. systemd-tmpfiles itself logs removals
// only at debug level and restores the parent's timestamps, so this
// correlation is the only trace it leaves.
func tmpfilesRuns() []unitRun {
	if _, err := exec.LookPath("systemctl"); err != nil {
		return nil
	}
	var runs []unitRun
	for _, scope := range [][]string{nil, {"--user"}} {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		args := append(append([]string{}, scope...), "show", "--timestamp=unix",
			"-p", "ExecMainStartTimestamp", "-p", "ExecMainExitTimestamp", "systemd-tmpfiles-clean.service")
		out, err := exec.CommandContext(ctx, "systemctl", args...).Output()
		cancel()
		if err != nil {
			continue
		}
		unit := "systemd-tmpfiles-clean"
		if scope != nil {
			unit += " (user manager)"
		}
		if r, ok := parseSystemctlShow(unit, bytes.NewReader(out)); ok {
			runs = append(runs, r)
		}
	}
	return runs
}
