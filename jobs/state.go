package jobs

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/nohupx/nohupx/internal/procfs"
	"github.com/nohupx/nohupx/internal/sigs"
)

// The states --jobs shows.
const (
	Running = "running"
	Stopped = "stopped"
	Exited  = "exited"
	Killed  = "killed" // ended by a signal
	Unknown = "unknown"
)

// Proc is how the process of a record looks now.
type Proc int

const (
	Gone   Proc = iota // no such process, or the pid is another process now
	Alive              // running or sleeping
	Paused             // stopped (T) or traced (t)
	Zombie             // ended, not yet waited for by its parent
)

// Look finds the process pid started at ticks (0: not known) in this boot
// (boot: "" for not known).
func Look(pid int, ticks uint64, boot string) Proc {
	if boot != "" && boot != BootID() {
		return Gone
	}
	st, err := procfs.ReadStat(pid)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return Gone
		}
		// No /proc (not Linux): signal 0 says a process has the pid, not
		// whether it is the same one.
		if syscall.Kill(pid, 0) == syscall.ESRCH {
			return Gone
		}
		return Alive
	}
	switch {
	case ticks != 0 && st.Start != ticks:
		return Gone
	case st.State == 'Z' || st.State == 'X':
		return Zombie
	case st.State == 'T' || st.State == 't':
		return Paused
	}
	return Alive
}

// BootID names this boot of the machine; "" where it cannot be read.
func BootID() string {
	b, err := procfs.ReadFile("/proc/sys/kernel/random/boot_id")
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// Self fills in what a record says of the calling process: pid, start
// time, boot, group and session.
func (r *Record) Self() {
	r.Pid = os.Getpid()
	r.Pgid, _ = syscall.Getpgid(0)
	r.Sid, _ = unix.Getsid(0)
	r.OwnGroup = r.Pgid == r.Pid
	r.BootID = BootID()
	if st, err := procfs.ReadStat(r.Pid); err == nil {
		r.StartTicks = st.Start
	}
}

// Status is a job's state now, and why its status is unknown when it is.
func (j Job) Status() (state, why string) {
	if j.Ended != nil {
		if j.Signal != "" {
			return Killed, ""
		}
		if j.ExitStatus != nil {
			return Exited, ""
		}
	}
	switch Look(j.Pid, j.StartTicks, j.BootID) {
	case Alive:
		return Running, ""
	case Paused:
		return Stopped, ""
	case Zombie:
		if j.waiting() {
			return Running, "" // its status is on the way
		}
	}
	switch {
	case !j.StatusKnown && strings.HasPrefix(j.By, "nohupx -"):
		return Unknown, j.By + " changed it while it ran, and only its parent saw its status"
	case !j.StatusKnown:
		return Unknown, "nohupx runs a command in its own process, as nohup does, so only the shell that started it saw its status"
	case j.Ended != nil:
		return Unknown, "it ended, but how was not recorded"
	case j.BootID != "" && j.BootID != BootID():
		return Unknown, "the machine has restarted since it started"
	case j.waiting():
		return Running, "" // gone a moment ago; the waiter is recording it
	}
	return Unknown, "the process waiting for it was killed before it ended"
}

// waiting says whether the process that records the status still runs.
func (j Job) waiting() bool {
	if j.Waiter <= 0 {
		return false
	}
	p := Look(j.Waiter, j.WaiterTicks, j.BootID)
	return p == Alive || p == Paused
}

// Done says whether the job has ended (whatever is known of how).
func (j Job) Done() bool {
	s, _ := j.Status()
	return s != Running && s != Stopped
}

// ShellStatus is what a shell's $? would be: the exit status, or 128+N for
// signal N; ok is false when it is not known.
func (j Job) ShellStatus() (int, bool) {
	if j.Signal != "" {
		if sig, err := sigs.Parse(j.Signal); err == nil {
			return 128 + int(sig), true
		}
		return 0, false
	}
	if j.ExitStatus != nil {
		return *j.ExitStatus, true
	}
	return 0, false
}

// Find resolves JOB, an id or a pid, among jobs. For a pid, the newest
// record of that pid wins.
func Find(jobs []Job, spec string) (Job, error) {
	if IsID(spec) {
		for _, j := range jobs {
			if j.ID == spec {
				return j, nil
			}
		}
		return Job{}, notFound(fmt.Sprintf("no job %q (see nohupx --jobs)", spec))
	}
	pid, err := strconv.Atoi(spec)
	if err != nil || pid <= 0 {
		return Job{}, fmt.Errorf("%q is neither a job id nor a pid", spec)
	}
	for i := len(jobs) - 1; i >= 0; i-- {
		if jobs[i].Pid == pid {
			return jobs[i], nil
		}
	}
	return Job{}, notFound(fmt.Sprintf("no job with pid %d (see nohupx --jobs)", pid))
}

// ErrNotFound is what Find's error is when no record matches.
var ErrNotFound = errors.New("no such job")

type notFound string

func (e notFound) Error() string        { return string(e) }
func (e notFound) Is(target error) bool { return target == ErrNotFound }

// EndedEvent is the event for a wait status.
func EndedEvent(ws syscall.WaitStatus) Event {
	e := Event{Event: EvEnded}
	if ws.Signaled() {
		e.Signal = sigs.Name(ws.Signal())
	} else {
		n := ws.ExitStatus()
		e.ExitStatus = &n
	}
	return e
}

// Signal sends sig to the job: to its whole process group when the job is
// in a group made for it (it leads the group, or detach's waiting stage
// does), else to the job's process alone. It refuses a job that has ended,
// whose pid may belong to another process by now.
//
// A stopped job is continued after the signal, as bash's kill does for a
// stopped job: a signal to a stopped process waits until it runs again.
func Signal(j Job, sig syscall.Signal) (target int, what string, err error) {
	state := Look(j.Pid, j.StartTicks, j.BootID)
	switch state {
	case Gone, Zombie:
		return 0, "", fmt.Errorf("it has ended; nothing sent (pid %d may be another process's by now)", j.Pid)
	}
	target, what = j.Pid, "process"
	if pgid := j.group(); pgid != 0 {
		target, what = -pgid, "process group"
	}
	if err := syscall.Kill(target, sig); err != nil {
		if target == j.Pid {
			return 0, "", err
		}
		target, what = j.Pid, "process" // the group is gone: the job alone
		if err := syscall.Kill(target, sig); err != nil {
			return 0, "", err
		}
	}
	switch sig {
	case syscall.SIGSTOP, syscall.SIGTSTP, syscall.SIGTTIN, syscall.SIGTTOU, syscall.SIGCONT:
	default:
		if state == Paused {
			_ = syscall.Kill(target, syscall.SIGCONT)
		}
	}
	if target < 0 {
		target = -target
	}
	return target, what, nil
}

// group is the process group to signal for the job, or 0 for its process
// alone. It is the group the job is in now, not the one recorded: a job
// may have left detach's group since (a daemon's own setsid(2)), and
// signalling that group would then reach the waiting stage and not the
// job. Never 1 or below: kill(2) takes -1 for every process the caller
// may signal and 0 for the caller's own group, so the group of a job that
// is pid 1 (a container's first process, leading its session) cannot be
// signalled as a group at all.
func (j Job) group() int {
	pgid, err := unix.Getpgid(j.Pid)
	switch {
	case err != nil || pgid <= 1:
		return 0
	case pgid == j.Pid: // it leads its group
		return pgid
	case j.OwnGroup && pgid == j.Pgid && pgid == j.Waiter && j.waiting():
		return pgid
	}
	return 0
}
