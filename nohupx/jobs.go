package nohupx

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/nohupx/nohupx/internal/diag"
	"github.com/nohupx/nohupx/internal/inject"
	"github.com/nohupx/nohupx/internal/procfs"
	"github.com/nohupx/nohupx/internal/quote"
	"github.com/nohupx/nohupx/internal/sigs"
	"github.com/nohupx/nohupx/internal/tty"
	"github.com/nohupx/nohupx/jobs"
)

// record writes the job record of the command this process is about to
// become, and starts the --on-exit watcher. relayed is the output file a
// relay writes, if any; unit the scope keepScope moved it into, if any.
// It returns the notice that names the job, and a warning when the
// record could not be written: the command runs anyway.
// Once the record is written, *id is its id.
func record(o Options, relayed relayedFile, unit string, id *string) (notice, warn string) {
	if o.NoRecord {
		return "", ""
	}
	if jobs.Disabled(o.Env) {
		if o.OnExit != "" {
			return "", "--on-exit needs the job record, which " + jobs.NoRecordEnv + " turns off; it will not run"
		}
		return "", ""
	}
	s, err := openStore(o.Env, true)
	if err != nil {
		return "", notRecorded(o, err)
	}
	defer s.Close()
	r := jobs.Record{By: "nohupx", Command: o.Command, Started: time.Now(), OnExit: o.OnExit, Unit: unit}
	r.Self()
	r.Cwd, _ = os.Getwd()
	r.TTY = terminalName()
	outputOf(&r, relayed)
	if err := s.Create(&r); err != nil {
		return "", notRecorded(o, err)
	}
	*id = r.ID
	s.Tidy()
	if o.OnExit != "" {
		if err := jobs.StartWatcher(s.Path, r.ID, o.OnExit); err != nil {
			warn = "--on-exit will not run: " + diag.Strerror(err)
		}
	}
	if r.Output == "" { // it goes to a terminal or a pipe: --log has nothing to read
		return "job " + r.ID + " (see nohupx --jobs)", warn
	}
	return "job " + r.ID + " (see nohupx --jobs; read its output with nohupx --log=" + r.ID + ")", warn
}

// notRecorded is the warning for a record that could not be written:
// --on-exit's watcher is given the record to follow, so it does not
// start either.
func notRecorded(o Options, err error) string {
	what := "job not recorded"
	if o.OnExit != "" {
		what += ", so --on-exit will not run"
	}
	return what + ": " + diag.Strerror(err)
}

// endJob records that job id ended with status without ever running: the
// exec failed (126, 127), or nohupx gave up before it (125). The job is
// this very process, so its status is the one nohupx exits with, and
// --jobs, --wait and --on-exit (whose watcher is waiting for the end) are
// told it here instead of calling it unknown. Nothing to do for a job that
// was not recorded (id ""); an append that fails leaves the end unknown,
// as for any nohupx job.
func endJob(o Options, id string, status int) {
	if id == "" {
		return
	}
	s, err := openStore(o.Env, false)
	if err != nil {
		return
	}
	defer s.Close()
	_ = s.Append(id, jobs.Event{Event: jobs.EvEnded, ExitStatus: &status})
}

// terminalName is the terminal the job was started from, as far as the
// standard descriptors still show it.
func terminalName() string {
	for _, fd := range []int{2, 0, 1} {
		if tty.IsTerminal(fd) {
			if name, err := os.Readlink(fmt.Sprintf("/proc/self/fd/%d", fd)); err == nil {
				return name
			}
		}
	}
	return ""
}

// outputOf records where standard output goes: the file a relay writes
// (and the pipe to it), or a regular file, which file that is, and where
// the job's output starts in it.
func outputOf(r *jobs.Record, relayed relayedFile) {
	var st unix.Stat_t
	if unix.Fstat(1, &st) != nil {
		return
	}
	switch {
	case relayed.name != "":
		name, _ := filepath.Abs(relayed.name)
		r.SetOutputFile(name, relayed.dev, relayed.ino)
		r.Pipe = st.Ino
		var fst unix.Stat_t
		if unix.Stat(r.Output, &fst) == nil {
			r.Offset = fst.Size
		}
	case st.Mode&unix.S_IFMT == unix.S_IFREG:
		if name, err := os.Readlink("/proc/self/fd/1"); err == nil && strings.HasPrefix(name, "/") {
			r.SetOutputFile(name, uint64(st.Dev), uint64(st.Ino))
			r.Offset = st.Size
		}
	}
}

// openStore opens this user's record directory. Its errors name it.
func openStore(env []string, create bool) (*jobs.Store, error) {
	dir, err := jobs.Dir(env)
	if err != nil {
		return nil, fmt.Errorf("cannot use the job record: %w", err)
	}
	s, err := jobs.Open(dir, create)
	switch {
	case !create && errors.Is(err, syscall.ENOENT):
		return nil, errNoJobs
	case err != nil:
		return nil, fmt.Errorf("cannot use the job record in %s: %s", dir, diag.Strerror(err))
	}
	return s, nil
}

var errNoJobs = errors.New("no job has been recorded (nohupx and detach record the jobs they start)")

// readJobs lists the records, reports those it cannot read, and prunes.
func readJobs(o Options) (*jobs.Store, []jobs.Job, error) {
	s, err := openStore(o.Env, false)
	if err != nil {
		return nil, nil, err
	}
	list, probs, err := s.List()
	if err != nil {
		s.Close()
		return nil, nil, err
	}
	for _, p := range probs {
		if !errors.Is(p.Err, jobs.ErrIncomplete) {
			_ = diag.Printf(o.Err, o.Prog, "warning: skipping %s", p.Error())
		}
	}
	s.Prune(list, jobs.Job.Done, probs, time.Now())
	return s, list, nil
}

// findJob is the job o.Job names. A pid not recorded yet may be a nohupx
// that was just started in the background ('nohupx cmd & nohupx --wait=$!')
// and has not written its record: while that process still runs this very
// binary, it is given a few seconds to do so.
func findJob(o Options) (*jobs.Store, jobs.Job, error) {
	deadline := time.Now().Add(5 * time.Second)
	last := false // the read after the process was seen not launching
	for {
		s, list, err := readJobs(o)
		var j jobs.Job
		if err == nil {
			if j, err = jobs.Find(list, o.Job); err == nil {
				return s, j, nil
			}
			s.Close()
		}
		if !errors.Is(err, errNoJobs) && !errors.Is(err, jobs.ErrNotFound) {
			return nil, jobs.Job{}, err
		}
		// It may have written its record, exec'd and ended between
		// the read and this look: one more read decides.
		if last || time.Now().After(deadline) {
			return nil, jobs.Job{}, err
		}
		last = !launching(o.Job)
		time.Sleep(10 * time.Millisecond)
	}
}

// launching says whether spec is the pid of a process that may still be
// about to write its record: one running this same binary (a launch before
// its exec), or one started within the last second (the shell's child for
// '&', before it execs nohupx).
func launching(spec string) bool {
	pid, err := strconv.Atoi(spec)
	if err != nil || pid <= 0 {
		return false
	}
	var self, other unix.Stat_t
	if unix.Stat("/proc/self/exe", &self) == nil && unix.Stat(fmt.Sprintf("/proc/%d/exe", pid), &other) == nil &&
		self.Dev == other.Dev && self.Ino == other.Ino {
		return true
	}
	age, ok := procAge(pid)
	return ok && age < time.Second
}

// procAge is how long ago process pid started.
func procAge(pid int) (time.Duration, bool) {
	st, err := procfs.ReadStat(pid)
	up, uerr := procfs.ReadFile("/proc/uptime")
	if err != nil || uerr != nil {
		return 0, false
	}
	f := strings.Fields(string(up))
	if len(f) == 0 {
		return 0, false
	}
	secs, err := strconv.ParseFloat(f[0], 64)
	if err != nil {
		return 0, false
	}
	// Start is in USER_HZ ticks, 100 a second on Linux.
	return time.Duration(secs*float64(time.Second)) - time.Duration(st.Start)*10*time.Millisecond, true
}

// listJobs is --jobs [--json].
func listJobs(o Options, fail int) int {
	s, list, err := readJobs(o)
	if errors.Is(err, errNoJobs) {
		list, err = nil, nil
	} else if err == nil {
		s.Close()
	}
	if err != nil {
		_ = diag.Printf(o.Err, o.Prog, "%s", diag.Strerror(err))
		return fail
	}
	if len(list) == 0 && !o.JSON {
		_, err = fmt.Fprintln(o.Out, "no job is recorded")
		return diag.WriteStatus(o.Prog, err, fail)
	}
	if o.JSON {
		err = jobs.WriteJSON(o.Out, list)
	} else {
		width := 80
		if f, ok := o.Out.(*os.File); ok {
			width = tty.Width(int(f.Fd()), 80)
		}
		home, _ := o.getenv("HOME")
		err = jobs.WriteTable(o.Out, list, width, time.Now(), home)
	}
	return diag.WriteStatus(o.Prog, err, fail)
}

// showLog is --log=JOB [--follow] [--lines=N].
func showLog(o Options, fail int) int {
	s, j, err := findJob(o)
	if err != nil {
		_ = diag.Printf(o.Err, o.Prog, "%s", diag.Strerror(err))
		return fail
	}
	s.Close()
	if j.Output != "" {
		// As cat(1) refuses: reading a file into itself never ends.
		f, isFile := o.Out.(*os.File)
		b, errB := os.Stat(j.Output)
		if isFile && errB == nil && sameAs(f, b) {
			_ = diag.Printf(o.Err, o.Prog, "job %s: standard output is the job's output file %s", j.ID, quote.Shell(j.Output))
			return fail
		}
	}
	out, err := jobs.OpenOutput(j, func(err error) {
		_ = diag.Printf(o.Err, o.Prog, "warning: skipping %s", err)
	})
	if err != nil {
		_ = diag.Printf(o.Err, o.Prog, "job %s: %s", j.ID, diag.Named(err))
		return fail
	}
	defer out.Close()
	err = out.Copy(o.Out, o.Lines)
	if err == nil && o.Follow {
		err = out.Follow(o.Out, 100*time.Millisecond)
	}
	if err != nil {
		_ = diag.Printf(o.Err, o.Prog, "job %s: %s", j.ID, diag.Named(err))
		return fail
	}
	return 0
}

// waitJob is --wait=JOB: the job's status, as a shell reports it.
func waitJob(o Options, fail int) int {
	s, j, err := findJob(o)
	if err != nil {
		_ = diag.Printf(o.Err, o.Prog, "%s", diag.Strerror(err))
		return fail
	}
	defer s.Close()
	if j, err = s.WaitEnd(j.ID); err != nil {
		_ = diag.Printf(o.Err, o.Prog, "job %s: %s", j.ID, diag.Strerror(err))
		return fail
	}
	if n, ok := j.ShellStatus(); ok {
		return n
	}
	_, why := j.Status()
	_ = diag.Printf(o.Err, o.Prog, "job %s (pid %d) has ended and its output is on disk, but its exit status is unknown: %s", j.ID, j.Pid, why)
	return fail
}

// killJob is --kill=JOB [--signal=SIG].
func killJob(o Options, fail int) int {
	s, j, err := findJob(o)
	if err != nil {
		_ = diag.Printf(o.Err, o.Prog, "%s", diag.Strerror(err))
		return fail
	}
	defer s.Close()
	sig := o.Signal
	if sig == 0 {
		sig = syscall.SIGTERM
	}
	target, what, err := jobs.Signal(j, sig)
	if err != nil {
		_ = diag.Printf(o.Err, o.Prog, "job %s: %s", j.ID, diag.Strerror(err))
		return fail
	}
	_ = s.Append(j.ID, jobs.Event{Event: jobs.EvKill, Signal: sigs.Name(sig)})
	if !o.Quiet {
		_ = diag.Printf(o.Err, o.Prog, "sent %s to %s %d (job %s)", unixSigName(sig), what, target, j.ID)
	}
	return 0
}

// recordAdopted records a process -p or -g has just changed: one record
// per process, its output the file nohupx gave it if it gave one, unit the
// scope keepScope moved it into. A record that cannot be written is a
// warning; the process is changed anyway.
func recordAdopted(o Options, res inject.Result, out *attachOutput, unit string) string {
	if o.NoRecord || jobs.Disabled(o.Env) {
		return ""
	}
	by := "nohupx -p"
	if o.Attach == attachGroup {
		by = "nohupx -g"
	}
	r, err := jobs.Adopted(res.Pid, by)
	if err != nil {
		return "process " + strconv.Itoa(res.Pid) + " not recorded: " + diag.Strerror(err)
	}
	r.Unit = unit
	if slices.Contains(res.Redirected, 1) && out.file != nil {
		r.SetOutput(out.file)
	}
	s, err := openStore(o.Env, true)
	if err == nil {
		defer s.Close()
		err = s.Create(&r)
	}
	if err != nil {
		return "process " + strconv.Itoa(res.Pid) + " not recorded: " + diag.Strerror(err)
	}
	return ""
}

func sameAs(f *os.File, fi os.FileInfo) bool {
	a, err := f.Stat()
	return err == nil && os.SameFile(a, fi)
}
