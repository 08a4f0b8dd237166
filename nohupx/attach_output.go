package nohupx

import (
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/nohupx/nohupx/internal/diag"
	"github.com/nohupx/nohupx/internal/inject"
	"github.com/nohupx/nohupx/internal/quote"
	"github.com/nohupx/nohupx/logrot"
)

// outputError is nohupx's own failure to open the output: status 125.
type outputError struct{ msg string }

func (e *outputError) Error() string { return e.msg }

// attachOutput opens the output once, when the first target needs it:
// nohup.out in our working directory ($HOME/nohup.out if that fails, as
// for a command) or --output, created 0600, and a rotating relay unless
// --no-rotate. The targets reopen our fd of it (the relay's pipe) through
// /proc/<our pid>/fd/N, and the file by name where they may not.
type attachOutput struct {
	o    Options
	once sync.Once
	file *logrot.Output // nil until opened
	out  inject.Output
	err  error
	// granted: the file was given to a target's owner (grant).
	granted bool
	// note says why the file is not rotated.
	note string
}

func (a *attachOutput) get() (inject.Output, error) {
	a.once.Do(a.open)
	return a.out, a.err
}

func (a *attachOutput) open() {
	var errs []string
	for _, name := range a.o.outputNames() {
		// A FIFO would make us, and then the target, wait for a reader.
		if fi, err := os.Stat(name); err == nil && fi.Mode()&os.ModeNamedPipe != 0 {
			errs = append(errs, "failed to open "+quote.Shell(name)+": a FIFO cannot be the output of a running process")
			continue
		}
		abs, err := filepath.Abs(name)
		if err != nil {
			errs = append(errs, "failed to open "+quote.Shell(name)+": "+diag.Strerror(err))
			continue
		}
		out, err := logrot.OpenOutput(name, a.o.Policy, !a.o.NoRotate)
		if err != nil {
			errs = append(errs, "failed to open "+quote.Shell(name)+": "+diag.Strerror(err))
			continue
		}
		a.file = out
		if !out.Rotated() && out.Note != "" { // the line per process says the rest
			a.note = rotationNotice(name, false, out.Note, a.o)
		}
		a.out = inject.Output{Fd: int(out.W.Fd()), Path: abs, Rotated: out.Rotated()}
		if out.Created {
			a.out.Grant = a.grant
		}
		return
	}
	a.err = &outputError{strings.Join(errs, "; ")}
}

// grant gives the file nohupx has just created, as root, to the owner of a
// target that cannot reopen our fd and opens the file itself: as if that
// user had run nohup. Only the first such owner gets it.
func (a *attachOutput) grant(uid, gid int) error {
	if os.Geteuid() != 0 || a.granted {
		return nil
	}
	a.granted = true
	return a.file.File.Chown(uid, gid)
}

// close drops our copies: the relay then lives as long as the targets
// write to it.
func (a *attachOutput) close() {
	if a.file != nil {
		a.file.Close()
	}
}

// name is the output file as the user knows it, or "" if none was opened.
func (a *attachOutput) name() string {
	if a.file == nil {
		return ""
	}
	return a.file.Name
}
