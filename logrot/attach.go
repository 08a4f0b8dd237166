package logrot

import (
	"errors"
	"io/fs"
	"os"
	"strings"
	"syscall"
)

// openAppend opens name for appending, creating it with mode 0600 whatever
// the umask (GNU nohup's rule: output may hold secrets), and keeping the
// mode of a file that exists. The file is never truncated. Like GNU nohup,
// it follows a symbolic link: appending is what the user asked for; the
// relay then refuses to rotate it (see Start).
func openAppend(name string) (*os.File, error) {
	f, _, err := openAppendCreated(name)
	return f, err
}

// openAppendCreated is openAppend that also says whether this open made
// the file. Only O_EXCL tells: a check before the open (lstat) leaves a
// moment in which whoever may write the directory can put a symbolic link
// to any file at the name, and root would then hand that file over as one
// it had just made. O_EXCL follows no link; where the name exists, the
// plain open follows it as before.
func openAppendCreated(name string) (f *os.File, created bool, err error) {
	// The umask is process-wide; the launchers are single-threaded here.
	old := syscall.Umask(0o177)
	defer syscall.Umask(old)
	f, err = openFile(name, syscall.O_WRONLY|syscall.O_CREAT|syscall.O_EXCL|syscall.O_APPEND, 0o600)
	if err == nil {
		return f, true, nil
	}
	if !errors.Is(err, fs.ErrExist) {
		return nil, false, err
	}
	f, err = openFile(name, syscall.O_WRONLY|syscall.O_CREAT|syscall.O_APPEND, 0o600)
	return f, false, err
}

// openFile is os.OpenFile without the runtime's poller. os.OpenFile hands
// every descriptor to the poller, and the poller's first use creates an
// epoll instance and an eventfd; when that fails (EMFILE: one or two
// descriptors left under `ulimit -n`) the Go runtime aborts the process
// with a fatal error, so nohupx would die where GNU nohup runs the command.
// os.NewFile keeps a blocking descriptor out of the poller, and reads and
// writes of a regular file never wait for readiness anyway.
func openFile(name string, flag int, perm uint32) (*os.File, error) {
	for {
		fd, err := syscall.Open(name, flag|syscall.O_CLOEXEC, perm)
		if err == nil {
			return os.NewFile(uintptr(fd), name), nil
		}
		if err != syscall.EINTR { // a signal during an open of a FIFO or NFS file
			return nil, &os.PathError{Op: "open", Path: name, Err: err}
		}
	}
}

// Writer is what a command's output should be connected to for the file f,
// opened at name: the write end of a new relay that rotates the file by p,
// or else f itself. It is f when rotate is false (GNU nohup's behaviour),
// for something that is not a regular file (/dev/null, a terminal), on a
// system without the relay, and when the file must not be rotated or the
// relay cannot start; in those last two cases note says why, in words that
// follow "not rotating FILE: ". The output is never lost for want of a
// relay.
func Writer(f *os.File, name string, p Policy, rotate bool) (w *os.File, note string) {
	if !rotate {
		return f, ""
	}
	if fi, err := f.Stat(); err == nil && !fi.Mode().IsRegular() {
		return f, ""
	}
	w, err := Start(f, name, p)
	switch {
	case errors.Is(err, errors.ErrUnsupported):
		return f, ""
	case err != nil:
		return f, strings.TrimPrefix(err.Error(), ErrNotRotatable.Error()+": ")
	}
	return w, ""
}

// Output is a file opened for a command's output by OpenOutput.
type Output struct {
	Name string   // as the caller gave it
	File *os.File // the file itself, opened by openAppend
	// W is what the command's output goes to: the write end of the relay's
	// pipe, or File when the file is not rotated.
	W *os.File
	// Note says why the file is not rotated although rotation was asked
	// for, in words that follow "not rotating NAME: " (see Writer).
	Note string
	// Created: this open made File (O_EXCL), so it is a new file of the
	// caller's, whatever now holds the name.
	Created bool
}

// OpenOutput is the one way a launcher opens a command's output file, as
// the invoking user: appended to, created 0600 (openAppend), and behind a
// relay that rotates it by p when rotate is set and the file may be
// rotated (Writer). The error is openAppend's.
//
// The caller holds W and File until the command has its own copy of W
// (after dup2 onto the fds it will exec with, or once the process it was
// passed to has started, or the processes given it have reopened it), and
// then closes both with Close.
func OpenOutput(name string, p Policy, rotate bool) (*Output, error) {
	f, created, err := openAppendCreated(name)
	if err != nil {
		return nil, err
	}
	w, note := Writer(f, name, p, rotate)
	return &Output{Name: name, File: f, W: w, Note: note, Created: created}, nil
}

// Rotated reports whether the output goes through a relay.
func (o *Output) Rotated() bool { return o.W != o.File }

// Close closes the caller's copies of the file and of the relay's pipe;
// the relay lives on for as long as anyone else holds the pipe.
func (o *Output) Close() error {
	err := o.File.Close()
	if o.Rotated() {
		err = errors.Join(o.W.Close(), err)
	}
	return err
}
