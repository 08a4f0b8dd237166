package detach

import (
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/nohupx/nohupx/internal/diag"
	"github.com/nohupx/nohupx/internal/procfs"
	"github.com/nohupx/nohupx/jobs"
)

// recordDir is the job record directory, or "" when the job is not to be
// recorded (--no-record, NOHUPX_NO_RECORD) or there is none to use; why
// not, when the user should hear it, is warn. (--no-record with --on-exit
// is refused by parse.)
func recordDir(o Options, env []string) (dir, warn string) {
	if o.NoRecord || jobs.Disabled(env) {
		if o.OnExit != "" {
			return "", "--on-exit needs the job record, which " + jobs.NoRecordEnv + " turns off; it will not run"
		}
		return "", ""
	}
	dir, err := jobs.Dir(env)
	if err != nil {
		return "", notRecorded(o) + ": cannot use the job record: " + err.Error()
	}
	s, err := jobs.Open(dir, true)
	if err != nil {
		return "", notRecorded(o) + ": cannot use the job record in " + dir + ": " + diag.Strerror(err)
	}
	s.Close()
	return dir, ""
}

// notRecorded starts the warning for a record that cannot be written: the
// session stage runs --on-exit after appending the status to the record,
// so without one it does not run either.
func notRecorded(o Options) string {
	if o.OnExit != "" {
		return "job not recorded, so --on-exit will not run"
	}
	return "job not recorded"
}

// record writes the job's record once the session stage has started it
// (pid), and tells the stage the id, so that it appends the exit status
// when the command ends. unit is the scope keepScope moved it into, if
// any; fds.outs the output files (stdout's first), and fds.offset the
// first one's size before the command started.
func record(o Options, dir, unit string, st *stage, pid int, fds *streams) (id string, err error) {
	s, err := jobs.Open(dir, false)
	if err != nil {
		return "", err
	}
	defer s.Close()
	stagePid := st.proc.Pid
	r := jobs.Record{By: "detach", Pid: pid, BootID: jobs.BootID(), Pgid: stagePid, Sid: stagePid,
		OwnGroup: true, Command: o.Command, Cwd: o.Chdir, Waiter: stagePid, StatusKnown: true,
		OnExit: o.OnExit, Unit: unit, Started: time.Now()}
	if !filepath.IsAbs(r.Cwd) {
		if wd, err := os.Getwd(); err == nil {
			r.Cwd = filepath.Join(wd, r.Cwd)
		}
	}
	// The command is the stage's child and the stage stays: its /proc
	// entry cannot go, even if the command has ended already.
	if stat, err := procfs.ReadStat(pid); err == nil {
		r.StartTicks = stat.Start
	}
	if stat, err := procfs.ReadStat(stagePid); err == nil {
		r.WaiterTicks = stat.Start
	}
	for i, out := range fds.outs {
		if i == 0 && o.Output != "" {
			r.SetOutput(out)
			r.Offset = fds.offset // the size before the stage started the job
		} else {
			r.SetStderr(out)
		}
	}
	if err := s.Create(&r); err != nil {
		return "", err
	}
	s.Tidy()
	_, err = st.control.WriteString(r.ID + "\n")
	return r.ID, err
}

// recordEnd is the stage's part: the command ended with ws; then --on-exit.
func recordEnd(dir, id string, ws syscall.WaitStatus, onExit string) {
	s, err := jobs.Open(dir, false)
	if err != nil {
		return
	}
	defer s.Close()
	if s.Append(id, jobs.EndedEvent(ws)) != nil || onExit == "" {
		return
	}
	_ = s.RunOnExit(id, onExit)
}
