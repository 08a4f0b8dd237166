// Package diag writes diagnostics in the GNU format the drop-ins must
// reproduce: "PROGRAM: message", errno text as strerror(3) words it, and the
// "Try 'PROGRAM --help'" line after a usage error.
package diag

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
	"unicode"
	"unicode/utf8"

	"github.com/nohupx/nohupx/internal/quote"
)

// Strerror is the C library's text for err's errno ("No such file or
// directory"), or err's own text when it carries no errno. Go's errno
// strings are glibc's with the first letter lowered.
func Strerror(err error) string {
	var errno syscall.Errno
	if !errors.As(err, &errno) {
		return err.Error()
	}
	s := errno.Error()
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

// Named is Strerror for an error that may be about a file: a path error
// says which file, GNU's way ("'FILE': No such file or directory"), since
// the message around it does not.
func Named(err error) string {
	if pe, ok := err.(*fs.PathError); ok {
		return quote.Shell(pe.Path) + ": " + Strerror(pe.Err)
	}
	return Strerror(err)
}

// Printf writes "prog: " and the formatted message and a newline to w, in
// one write so that concurrent writers cannot interleave it.
func Printf(w io.Writer, prog, format string, a ...any) error {
	_, err := fmt.Fprintf(w, "%s: %s\n", prog, fmt.Sprintf(format, a...))
	return err
}

// TryHelp writes the line GNU tools print after a usage error.
func TryHelp(w io.Writer, prog string) error {
	_, err := fmt.Fprintf(w, "Try '%s --help' for more information.\n", prog)
	return err
}

// Usage writes a usage error and the "Try" line, as GNU tools do.
func Usage(w io.Writer, prog, format string, a ...any) {
	_, _ = fmt.Fprintf(w, "%s: %s\nTry '%s --help' for more information.\n", prog, fmt.Sprintf(format, a...), prog)
}

// WriteStatus is WriteStatusTo with this process's stderr.
func WriteStatus(prog string, err error, fail int) int {
	return WriteStatusTo(os.Stderr, prog, err, fail)
}

// WriteStatusTo is the exit status after --help or --version was written
// to stdout with error err: 0, or fail after GNU's "write error" line on
// stderr, as coreutils' close_stdout does when stdout is full or closed.
func WriteStatusTo(stderr io.Writer, prog string, err error, fail int) int {
	if err == nil {
		return 0
	}
	_ = Printf(stderr, prog, "write error: %s", Strerror(err))
	return fail
}
