package logrot

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
)

// OpenAppend opens name for appending, creating it with mode 0600 whatever
// the umask (GNU nohup's rule: output may hold secrets), and keeping the
// mode of a file that exists. The file is never truncated.
func OpenAppend(name string) (*os.File, error) {
	// The umask is process-wide; the launchers are single-threaded here.
	old := syscall.Umask(0o177)
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	syscall.Umask(old)
	return f, err
}

// Writer is what a command's output should be connected to for the file
// f, which OpenAppend opened: the write end of a new relay that rotates the
// file by p, or f itself where the file cannot be rotated (it is not a
// regular file, such as /dev/null, or this platform has no relay yet).
// With rotate false it is f itself, GNU nohup's behaviour.
func Writer(f *os.File, p Policy, rotate bool) (*os.File, error) {
	if !rotate {
		return f, nil
	}
	abs, err := filepath.Abs(f.Name())
	if err != nil {
		return nil, err
	}
	w, err := Start(abs, p)
	switch {
	case errors.Is(err, ErrNotRegular), errors.Is(err, errors.ErrUnsupported):
		return f, nil
	case err != nil:
		return nil, err
	}
	return w, nil
}
