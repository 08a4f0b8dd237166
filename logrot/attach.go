package logrot

import (
	"errors"
	"os"
	"strings"
	"syscall"
)

// OpenAppend opens name for appending, creating it with mode 0600 whatever
// the umask (GNU nohup's rule: output may hold secrets), and keeping the
// mode of a file that exists. The file is never truncated. Like GNU nohup,
// it follows a symbolic link: appending is what the user asked for; the
// relay then refuses to rotate it (see Start).
func OpenAppend(name string) (*os.File, error) {
	// The umask is process-wide; the launchers are single-threaded here.
	old := syscall.Umask(0o177)
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	syscall.Umask(old)
	return f, err
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
