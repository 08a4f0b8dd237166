// Package jobs is the per-user record of the jobs that nohupx and detach
// start or adopt, and what the options that read it (--jobs, --log,
// --wait, --kill) need. There is no daemon: each job is one file in
// $XDG_STATE_HOME/nohupx/jobs/ (by default ~/.local/state/nohupx/jobs/),
// named after the job's id.
//
// A record file is JSON lines. The first line is the Record, written by
// the launcher in one write(2) to a file it created with O_EXCL (which is
// also how an id is reserved: two launches can never share one). Each later
// line is an Event appended in one write(2) with O_APPEND by whoever
// learned something: the waiting session stage of detach (the job ended,
// with this status), --kill (a signal was sent), an --on-exit runner. On
// Linux a write(2) to a regular file holds the inode lock for its whole
// length, so concurrent appends never interleave; a reader that catches a
// line half-written (the launch still in progress, say) ignores that last
// line. Nothing is ever rewritten in place, so a record is never torn.
package jobs

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/nohupx/nohupx/logrot"
)

// Version is the record format; a reader refuses a newer one.
const Version = 1

// Record is what is known when the job starts.
type Record struct {
	V  int    `json:"v"`
	ID string `json:"id"`
	// By is what started or adopted the job: "nohupx", "detach",
	// "nohupx -p" or "nohupx -g".
	By string `json:"by"`
	// Pid and StartTicks (the process's start time in clock ticks since
	// boot, /proc/PID/stat field 22) name the process; BootID tells a
	// record from an earlier boot. A pid whose start time differs has been
	// reused by another process.
	Pid        int    `json:"pid"`
	StartTicks uint64 `json:"start_ticks,omitempty"`
	BootID     string `json:"boot_id,omitempty"`
	Pgid       int    `json:"pgid"`
	Sid        int    `json:"sid"`
	// OwnGroup: the process group was made for this job alone (the job
	// leads it, or detach made a session for it), so --kill signals the
	// whole group rather than the one process.
	OwnGroup bool     `json:"own_group"`
	Command  []string `json:"command"`
	Cwd      string   `json:"cwd"`
	TTY      string   `json:"tty,omitempty"`
	// Unit is the systemd scope the job was moved into at launch, out
	// of a login session that logind kills at logout; empty if it was
	// not moved.
	Unit string `json:"unit,omitempty"`
	// Output is the file the job's standard output goes to (absolute),
	// and Offset its size when the job started: the job's output begins
	// there. Stderr is set when standard error goes to another file.
	Output string `json:"output,omitempty"`
	Offset int64  `json:"offset,omitempty"`
	// OutputDev and OutputIno are the device and inode of the file the
	// job's output went to when it started, as opened (not as the name
	// says later): --log reads that file whoever owns it, and anything
	// else at the name only if the relay made it. Both 0 in records
	// written before they were kept.
	OutputDev uint64 `json:"output_dev,omitempty"`
	OutputIno uint64 `json:"output_ino,omitempty"`
	// OutputDirDev and OutputDirIno are the directory that held that
	// file: --log reads the relay's files there and nowhere else. Both 0
	// when unknown (older records, an output reached through a link).
	OutputDirDev uint64 `json:"output_dir_dev,omitempty"`
	OutputDirIno uint64 `json:"output_dir_ino,omitempty"`
	Stderr       string `json:"stderr,omitempty"`
	// Pipe is the inode of the pipe between the job and the log relay
	// that writes Output, or 0 without a relay: the output is all on disk
	// once no relay holds that pipe.
	Pipe uint64 `json:"pipe,omitempty"`
	// StderrPipe is the same for the relay that writes Stderr, when
	// standard error goes to a file of its own through one (detach
	// --stderr): the output is all on disk once neither pipe is held.
	StderrPipe uint64 `json:"stderr_pipe,omitempty"`
	// Waiter is the process that will append the job's exit status, if
	// any (detach's session stage, an --on-exit watcher).
	Waiter      int    `json:"waiter,omitempty"`
	WaiterTicks uint64 `json:"waiter_start_ticks,omitempty"`
	// StatusKnown says whether the status can be known at all. A nohupx
	// job is the nohupx process itself after exec, as with GNU nohup, so
	// only its parent (the shell) learns how it ended.
	StatusKnown bool      `json:"status_known"`
	OnExit      string    `json:"on_exit,omitempty"`
	Started     time.Time `json:"started"`
}

// Event kinds.
const (
	EvEnded  = "ended"   // the job ended; ExitStatus or Signal if known
	EvKill   = "kill"    // --kill sent Signal
	EvOnExit = "on_exit" // the --on-exit command ran; Message if it failed
	// EvGone: the job was found ended, at Time, by a reader; no one
	// recorded its end (a nohupx job's status goes to its shell alone).
	// Retention counts from it.
	EvGone = "gone"
)

// Event is something learned after the start.
type Event struct {
	Event      string    `json:"event"`
	Time       time.Time `json:"time"`
	ExitStatus *int      `json:"exit_status,omitempty"`
	Signal     string    `json:"signal,omitempty"`
	Message    string    `json:"message,omitempty"`
}

// Job is a record with its events folded in.
type Job struct {
	Record
	Ended      *time.Time // when it ended, if recorded
	ExitStatus *int
	Signal     string // the signal that ended it, without SIG
	Kills      []Event
	onExit     *Event     // how --on-exit went
	gone       *time.Time // when a reader found it ended, if no end is recorded
}

// ErrIncomplete is a record whose first line has not been written whole:
// a launch in progress, or one that died halfway.
var ErrIncomplete = errors.New("incomplete record")

// Parse reads a record file.
func Parse(data []byte) (Job, error) {
	first, rest, whole := bytes.Cut(data, []byte{'\n'})
	if !whole {
		return Job{}, ErrIncomplete
	}
	var j Job
	if err := strict(first, &j.Record); err != nil {
		return Job{}, fmt.Errorf("first line: %w", err)
	}
	switch {
	case j.V != Version:
		return Job{}, fmt.Errorf("record version %d; this nohupx reads version %d", j.V, Version)
	case j.ID == "" || j.Pid <= 0 || len(j.Command) == 0:
		return Job{}, errors.New("first line: no id, pid or command")
	case j.Pid > math.MaxInt32 || j.Waiter < 0 || j.Waiter > math.MaxInt32:
		// pid_t is 32 bits: kill(2) would take 1<<32-1 for -1, every
		// process, and 1<<32 for 0, the caller's group.
		return Job{}, errors.New("first line: a pid out of range")
	}
	for n := 2; len(rest) > 0; n++ {
		line, more, whole := bytes.Cut(rest, []byte{'\n'})
		rest = more
		if !whole {
			break // an append in progress
		}
		var e Event
		if err := strict(line, &e); err != nil {
			return Job{}, fmt.Errorf("line %d: %w", n, err)
		}
		j.fold(e)
	}
	return j, nil
}

func strict(line []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(line))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		return err
	}
	if d.More() {
		return errors.New("more than one JSON value on a line")
	}
	return nil
}

func (j *Job) fold(e Event) {
	switch e.Event {
	case EvEnded:
		if j.Ended == nil { // the first report wins
			t := e.Time
			j.Ended, j.ExitStatus, j.Signal = &t, e.ExitStatus, e.Signal
		}
	case EvKill:
		j.Kills = append(j.Kills, e)
	case EvOnExit:
		j.onExit = &e
	case EvGone:
		if j.gone == nil {
			t := e.Time
			j.gone = &t
		}
	}
}

// line is v as one JSON line.
func line(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// SetOutput records the output file out (opened by logrot.OpenOutput):
// its absolute name, what it is, its size now (where the job's output
// will start), and the relay's pipe if a relay writes it.
func (r *Record) SetOutput(out *logrot.Output) {
	var st syscall.Stat_t
	if syscall.Fstat(int(out.File.Fd()), &st) != nil || st.Mode&syscall.S_IFMT != syscall.S_IFREG {
		return // /dev/null, a FIFO: nothing --log could read back
	}
	name, _ := filepath.Abs(out.Name)
	r.SetOutputFile(name, uint64(st.Dev), uint64(st.Ino))
	r.Offset = st.Size
	r.Pipe = relayPipe(out)
}

// SetStderr records out (opened by logrot.OpenOutput) as the file the
// job's standard error goes to, apart from its standard output, and the
// relay's pipe if a relay writes it.
func (r *Record) SetStderr(out *logrot.Output) {
	r.Stderr, _ = filepath.Abs(out.Name)
	r.StderrPipe = relayPipe(out)
}

// relayPipe is the inode of the pipe to out's relay, or 0 without one.
func relayPipe(out *logrot.Output) uint64 {
	var st syscall.Stat_t
	if !out.Rotated() || syscall.Fstat(int(out.W.Fd()), &st) != nil {
		return 0
	}
	return uint64(st.Ino)
}

// SetOutputFile records name (absolute) as the job's output file, dev and
// ino as what that file is (as opened, not as the name says later), and
// the directory that holds it, when the name's directory holds that very
// file now.
func (r *Record) SetOutputFile(name string, dev, ino uint64) {
	r.Output, r.OutputDev, r.OutputIno = name, dev, ino
	// A raw open, as every open on the launch path: os.OpenFile would start
	// the runtime's poller, which aborts the process when it finds no
	// descriptor left for itself (a low `ulimit -n`).
	d, err := unix.Open(filepath.Dir(name), unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0) // a FIFO there fails, not waits
	if err != nil {
		return
	}
	defer unix.Close(d)
	var ds, fs unix.Stat_t
	if unix.Fstat(d, &ds) == nil &&
		unix.Fstatat(d, filepath.Base(name), &fs, unix.AT_SYMLINK_NOFOLLOW) == nil &&
		uint64(fs.Dev) == dev && uint64(fs.Ino) == ino {
		r.OutputDirDev, r.OutputDirIno = uint64(ds.Dev), uint64(ds.Ino)
	}
}
