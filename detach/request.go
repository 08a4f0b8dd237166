package detach

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"syscall"
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
}

// pidfileFds are the stage's descriptors of the pidfile.
type pidfileFds struct {
	Lock int    // fd: the pidfile itself, flock'ed
	Dir  int    // fd: its directory, opened anew (not locked)
	Name string // its name in Dir
}

// The status lines the stage sends back:
//
//	ok PID          the command was exec'd
//	error CODE MSG  it was not; CODE is the caller's exit status
//	exit WSTATUS    (with Stay) the command ended with this wait status
func okLine(pid int) string                 { return "ok " + strconv.Itoa(pid) + "\n" }
func exitLine(ws syscall.WaitStatus) string { return "exit " + strconv.Itoa(int(ws)) + "\n" }
func errorLine(code int, err error) string {
	return "error " + strconv.Itoa(code) + " " + strings.ReplaceAll(err.Error(), "\n", " ") + "\n"
}

func (r request) encode(w io.Writer) error { return json.NewEncoder(w).Encode(r) }

func decodeRequest(rd io.Reader) (request, error) {
	var r request
	if err := json.NewDecoder(rd).Decode(&r); err != nil {
		return r, fmt.Errorf("bad request: %w", err)
	}
	if len(r.Argv) == 0 {
		return r, errors.New("bad request: no command")
	}
	return r, nil
}

// stageError is a failure the stage reports with the caller's status.
type stageError struct {
	code int
	msg  string
}

func (e *stageError) Error() string { return e.msg }

// parseStatus reads one status line.
func parseStatus(line string) (kind string, n int, err error) {
	line = strings.TrimSuffix(line, "\n")
	kind, rest, _ := strings.Cut(line, " ")
	switch kind {
	case "ok", "exit":
		n, err = strconv.Atoi(rest)
		if err == nil {
			return kind, n, nil
		}
	case "error":
		code, msg, _ := strings.Cut(rest, " ")
		if c, err := strconv.Atoi(code); err == nil {
			return kind, c, &stageError{code: c, msg: msg}
		}
	case "":
		return "", 0, errors.New("the session stage ended without a word")
	}
	return "", 0, fmt.Errorf("the session stage said %q", line)
}
