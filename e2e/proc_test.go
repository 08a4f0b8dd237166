//go:build linux

package e2e

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/nohupx/nohupx/internal/procfs"
)

// A beat is one line of a heartbeat file: "PID COUNT".
type beat struct{ pid, n int }

// readBeat reads a heartbeat file. ok is false while the file is missing or
// caught between truncate and write.
func readBeat(path string) (b beat, ok bool) {
	data, err := os.ReadFile(path)
	if err != nil {
		return beat{}, false
	}
	f := strings.Fields(string(data))
	if len(f) != 2 {
		return beat{}, false
	}
	b.pid, err = strconv.Atoi(f[0])
	if err != nil {
		return beat{}, false
	}
	b.n, err = strconv.Atoi(f[1])
	return b, err == nil
}

// stat is /proc/PID/stat, as far as the tests need it.
type stat = procfs.Stat

func readStat(pid int) (stat, error) { return procfs.ReadStat(pid) }

// A job is the heartbeat process under test.
type job struct {
	t     *testing.T
	beat  string // heartbeat file
	pid   int
	start uint64
}

// waitStart waits for the job's first heartbeat and arranges for the job
// to be killed when the test ends. bang is $! for a background start (0
// otherwise): if that process stops before it beats (a launcher that
// writes its notice to the terminal under `stty tostop` gets SIGTTOU before
// it can exec the job), it is the job from then on.
func waitStart(t *testing.T, beatFile string, bang int) *job {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		pid := 0
		if b, ok := readBeat(beatFile); ok {
			pid = b.pid
		} else if bang > 0 {
			if st, err := readStat(bang); err == nil && st.State == 'T' {
				t.Logf("process %d ($!) stopped before the job's first beat", bang)
				pid = bang
			}
		}
		if pid > 0 {
			st, err := readStat(pid)
			if err != nil {
				t.Fatalf("job pid %d started and vanished: %v", pid, err)
			}
			j := &job{t: t, beat: beatFile, pid: pid, start: st.Start}
			t.Cleanup(j.kill)
			return j
		}
		if time.Now().After(deadline) {
			t.Fatalf("no heartbeat in %s within 15s", beatFile)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// alive tells whether the job's process still exists and is not a zombie.
// It reaps the job if it is our child (see PR_SET_CHILD_SUBREAPER in
// TestMain) and then says how it died.
func (j *job) alive() (st stat, ok bool, how string) {
	var ws unix.WaitStatus
	if wpid, _ := unix.Wait4(j.pid, &ws, unix.WNOHANG, nil); wpid == j.pid {
		return stat{}, false, describe(ws)
	}
	st, err := readStat(j.pid)
	switch {
	case err != nil, st.Start != j.start:
		return stat{}, false, "gone"
	case st.State == 'Z' || st.State == 'X':
		return st, false, "zombie"
	}
	return st, true, ""
}

func describe(ws unix.WaitStatus) string {
	switch {
	case ws.Signaled():
		return "killed by " + unix.SignalName(ws.Signal())
	case ws.Exited():
		return fmt.Sprintf("exited with status %d", ws.ExitStatus())
	}
	return fmt.Sprintf("wait status %#x", uint32(ws))
}

// waitState polls until the job's state satisfies ok, for ^Z and bg.
func (j *job) waitState(what string, ok func(byte) bool) {
	j.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		st, alive, how := j.alive()
		if !alive {
			j.t.Fatalf("job %d died (%s) while waiting until it is %s", j.pid, how, what)
		}
		if ok(st.State) {
			return
		}
		if time.Now().After(deadline) {
			j.t.Fatalf("job %d is in state %c after 10s; want %s", j.pid, st.State, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// settle waits until the job has beaten a few times or has stopped: a
// reader or writer has then met the terminal, so the shell sees the job as
// it will be at logout.
func (j *job) settle() {
	j.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		st, alive, how := j.alive()
		if !alive {
			j.t.Fatalf("job %d died (%s) right after it started", j.pid, how)
		}
		if b, ok := readBeat(j.beat); st.State == 'T' || ok && b.pid == j.pid && b.n >= 3 {
			return
		}
		if time.Now().After(deadline) {
			j.t.Fatalf("job %d neither beat 3 times nor stopped within 10s", j.pid)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// kill sends SIGKILL to the job's process group and to the job, unless its
// pid has been reused since (the start time tells).
func (j *job) kill() {
	st, err := readStat(j.pid)
	if err != nil || st.Start != j.start {
		return
	}
	if st.PGRP > 1 {
		syscall.Kill(-st.PGRP, syscall.SIGKILL)
	}
	syscall.Kill(j.pid, syscall.SIGKILL)
	var ws unix.WaitStatus
	for i := 0; i < 50; i++ {
		if wpid, err := unix.Wait4(j.pid, &ws, unix.WNOHANG, nil); wpid == j.pid || err != nil {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

type outcome string

const (
	survives outcome = "survives"
	dies     outcome = "dies"
	stuck    outcome = "stuck" // alive but not beating: stopped, or starved
	racy     outcome = "racy"  // expected only: either survives or dies
)

func (o outcome) describe() string {
	if o == racy {
		return "survives or dies"
	}
	return string(o)
}

// verdict decides the job's fate after the shell has gone: it survives if
// it still runs, with the same pid, and beats again at least 1s after
// shellGone; it dies if its process is gone or a zombie and its beats
// have stopped. It polls against a deadline; detail says what was seen.
func (j *job) verdict(shellGone time.Time) (outcome, string) {
	const after, patience = time.Second, 6 * time.Second
	var mark beat
	marked := false
	for {
		st, alive, how := j.alive()
		if !alive {
			last, _ := readBeat(j.beat)
			time.Sleep(250 * time.Millisecond)
			if b, _ := readBeat(j.beat); b != last {
				return stuck, fmt.Sprintf("process %s, yet beats go on: %v then %v", how, last, b)
			}
			return dies, fmt.Sprintf("%s %v after the shell; last beat %d", how,
				time.Since(shellGone).Round(10*time.Millisecond), last.n)
		}
		b, ok := readBeat(j.beat)
		now := time.Now()
		switch {
		case !ok || b.pid != j.pid:
		case !marked && now.Sub(shellGone) >= after:
			mark, marked = b, true
		case marked && b.n > mark.n:
			return survives, fmt.Sprintf("beat %d at +%v, state %c, ppid %d, pgid %d, sid %d",
				b.n, now.Sub(shellGone).Round(10*time.Millisecond), st.State, st.PPID, st.PGRP, st.Session)
		}
		if now.Sub(shellGone) > patience {
			return stuck, fmt.Sprintf("alive in state %c but last beat %v after %v; %s",
				st.State, b, patience, signalState(j.pid))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// signalState summarises a live process for a report: its signal masks
// from /proc/PID/status and the state of each of its threads.
func signalState(pid int) string {
	exe, _ := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid))
	parts := []string{"exe " + exe}
	if data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid)); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			for _, k := range []string{"SigPnd:", "ShdPnd:", "SigBlk:", "SigIgn:", "SigCgt:"} {
				if strings.HasPrefix(line, k) {
					parts = append(parts, strings.Join(strings.Fields(line), " "))
				}
			}
		}
	}
	tasks, _ := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	var states []string
	for _, task := range tasks {
		tid, _ := strconv.Atoi(task.Name())
		data, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/stat", pid, tid))
		i := strings.LastIndexByte(string(data), ')')
		if err != nil || i < 0 || i+2 >= len(data) {
			continue
		}
		wchan, _ := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/wchan", pid, tid))
		pending := ""
		status, _ := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/status", pid, tid))
		for _, line := range strings.Split(string(status), "\n") {
			if v, ok := strings.CutPrefix(line, "SigPnd:"); ok && strings.Trim(v, "\t 0") != "" {
				pending = " pending " + strings.TrimSpace(v)
			}
		}
		states = append(states, fmt.Sprintf("%c(%s%s)", data[i+2], wchan, pending))
	}
	parts = append(parts, "threads "+strings.Join(states, " "))
	return strings.Join(parts, ", ")
}

// checkDetached asserts what detach promises of a daemon: no controlling
// terminal, a session that is not the shell's (and that it does not lead),
// and init or the nearest subreaper (this test) as its parent.
func (j *job) checkDetached(shellPid int) {
	j.t.Helper()
	// Its parent is the session stage, which stays to record the job's
	// exit status: the leader of the job's session, not the shell.
	st, err := readStat(j.pid)
	if err != nil {
		j.t.Fatalf("detached job %d: %v", j.pid, err)
	}
	shell, err := readStat(shellPid)
	if err != nil {
		j.t.Fatalf("shell %d: %v", shellPid, err)
	}
	if st.TTYNr != 0 || st.Session == shell.Session || st.Session == j.pid || st.PGRP == shell.PGRP ||
		st.PPID != st.Session {
		j.t.Errorf("detached job %d: tty_nr %d, sid %d (shell's %d), pgid %d, ppid %d; "+
			"want no terminal, another session it does not lead, whose leader (the stage that records its status) is its parent",
			j.pid, st.TTYNr, st.Session, shell.Session, st.PGRP, st.PPID)
	}
}
