package reexec

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// The one codec between a caller and the stages it starts.
//
// A request is one JSON object on an inherited descriptor (a pipe, or the
// relay's journal), never argv or the environment, so that nothing in it
// can be taken for an option and a stage needs no flag parser. Unknown
// fields are refused: a stage acts on nothing it did not understand.
//
// A status is one line a stage writes back:
//
//	ok N            done; N is a pid
//	exit N          (a stage that stays) its child ended with wait status N
//	error CODE MSG  not done; CODE is the exit status the caller should use

// WriteRequest writes v as a request.
func WriteRequest(w io.Writer, v any) error { return json.NewEncoder(w).Encode(v) }

// ReadRequest reads one request into v.
func ReadRequest(r io.Reader, v any) error {
	d := json.NewDecoder(r)
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		return fmt.Errorf("bad request: %w", err)
	}
	return nil
}

// OK, Exit and Error are the status lines.
func OK(pid int) string       { return "ok " + strconv.Itoa(pid) + "\n" }
func Exit(wstatus int) string { return "exit " + strconv.Itoa(wstatus) + "\n" }
func Error(code int, err error) string {
	return "error " + strconv.Itoa(code) + " " + strings.ReplaceAll(err.Error(), "\n", " ") + "\n"
}

// StageError is an error line: a failure the stage reports with the
// caller's exit status.
type StageError struct {
	Code int
	Msg  string
}

func (e *StageError) Error() string { return e.Msg }

// ParseStatus reads one status line: its kind ("ok" or "exit") and
// number, or a *StageError for an error line. An error line's status is
// never 0 (success after an error would be a lie) nor above 255: such a
// line is itself an error.
func ParseStatus(line string) (kind string, n int, err error) {
	line = strings.TrimSuffix(line, "\n")
	kind, rest, _ := strings.Cut(line, " ")
	switch kind {
	case "ok", "exit":
		if n, err = strconv.Atoi(rest); err == nil {
			return kind, n, nil
		}
	case "error":
		code, msg, _ := strings.Cut(rest, " ")
		if c, err := strconv.Atoi(code); err == nil && c > 0 && c < 256 {
			return kind, c, &StageError{Code: c, Msg: msg}
		}
	case "":
		return "", 0, errors.New("the stage ended without a word")
	}
	return "", 0, fmt.Errorf("the stage said %q", line)
}
