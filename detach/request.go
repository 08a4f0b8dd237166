package detach

import (
	"errors"
	"io"

	"github.com/nohupx/nohupx/internal/reexec"
)

// request is what the caller tells the session stage, over an inherited
// pipe, so that nothing about it can be taken for an option.
type request struct {
	Argv    []string
	File    string // what to execute: Argv[0], made absolute if it is a relative path
	Env     []string
	Dir     string
	Umask   int // -1: leave it
	User    *Credential
	Stay    bool // stay the command's parent and report its exit (--wait, --ready)
	Status  int  // fd: the one status line (and the exit line) back to the caller
	Control int  // fd: EOF from the caller means "let the command go" (with Stay)
	Plumb   []int
	// Pidfile, if set: the stage holds the pidfile's lock, stays the
	// command's parent until it exits, and then removes the pidfile.
	Pidfile *pidfileFds
	// Record, if set, is the job record directory: the stage stays the
	// command's parent until it exits, reads the job's id from the
	// control pipe, and appends the exit status (then runs OnExit).
	Record string
	OnExit string
}

// pidfileFds are the stage's descriptors of the pidfile.
type pidfileFds struct {
	Lock int    // fd: the pidfile itself, flock'ed
	Dir  int    // fd: its directory, opened anew (not locked)
	Name string // its name in Dir
}

// The stage answers with reexec's status lines: "ok PID" once the command
// was exec'd, "error CODE MSG" if it was not (CODE is the caller's exit
// status), and with Stay "exit WSTATUS" when the command ended.

func (r request) encode(w io.Writer) error { return reexec.WriteRequest(w, r) }

func decodeRequest(rd io.Reader) (request, error) {
	var r request
	if err := reexec.ReadRequest(rd, &r); err != nil {
		return r, err
	}
	if len(r.Argv) == 0 {
		return r, errors.New("bad request: no command")
	}
	return r, nil
}
