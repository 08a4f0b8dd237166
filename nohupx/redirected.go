package nohupx

import (
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/nohupx/nohupx/internal/diag"
	"github.com/nohupx/nohupx/internal/quote"
	"github.com/nohupx/nohupx/logrot"
)

// rotateRedirected honours rotation options the user gave for an output
// they redirected themselves ('nohupx --max-size 1M cmd > big.log'): when
// stdout is a regular file, a relay takes over from it, and stderr too if
// it is the same file (2>&1); a terminal stderr follows stdout anyway. It
// returns the notice line, or "" when stdout is not a regular file (a
// pipe, a terminal), which is left alone as GNU nohup leaves it, and the
// file's name when a relay now writes it.
func rotateRedirected(o Options) (notice string, relayed relayedFile) {
	var out unix.Stat_t
	if unix.Fstat(1, &out) != nil || out.Mode&unix.S_IFMT != unix.S_IFREG {
		return "", relayedFile{}
	}
	// The name the shell opened: the kernel keeps it for every open file.
	name, err := os.Readlink("/proc/self/fd/1")
	if err != nil || !strings.HasPrefix(name, "/") || strings.HasSuffix(name, " (deleted)") {
		return "not rotating standard output: its file name cannot be known here; writing to it as it is", relayedFile{}
	}
	fd, err := unix.FcntlInt(1, unix.F_DUPFD_CLOEXEC, 3)
	if err != nil {
		return "not rotating " + quote.Shell(name) + ": " + diag.Strerror(err), relayedFile{}
	}
	f := os.NewFile(uintptr(fd), name)
	defer f.Close()
	w, note := logrot.Writer(f, name, o.Policy, true)
	if w == f {
		if note == "" {
			return "", relayedFile{}
		}
		return "not rotating " + quote.Shell(name) + ": " + note + "; writing to it as before", relayedFile{}
	}
	defer w.Close()
	var errSt unix.Stat_t
	sameFile := unix.Fstat(2, &errSt) == nil && errSt.Dev == out.Dev && errSt.Ino == out.Ino
	for _, target := range []int{1, 2} {
		if target == 2 && !sameFile {
			break
		}
		if err := dup2(int(w.Fd()), target); err != nil {
			return "cannot rotate " + quote.Shell(name) + ": fd " + strconv.Itoa(target) + ": " + diag.Strerror(err), relayedFile{}
		}
	}
	return rotationNotice(name, true, "", o), relayedFile{name, uint64(out.Dev), uint64(out.Ino)}
}
