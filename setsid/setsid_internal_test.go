package setsid

import (
	"bytes"
	"fmt"
	"strings"
	"syscall"
	"testing"

	"github.com/nohupx/nohupx/internal/applet"
	"github.com/nohupx/nohupx/internal/version"
)

// TestStaleErrno: the errno util-linux setsid prints after "did not
// exit normally", as measured with glibc 2.36 (see staleErrno).
func TestStaleErrno(t *testing.T) {
	tests := []struct {
		env  []string
		want string
	}{
		{nil, "Success"},
		{[]string{"PATH=/bin"}, "Success"},
		{[]string{"LANG=C"}, "Success"},
		{[]string{"LANG=POSIX"}, "Success"},
		{[]string{"LANG="}, "Success"},
		{[]string{"LC_ALL="}, "Success"},
		{[]string{"LANGUAGE=fr"}, "Success"},
		{[]string{"LANG=C.UTF-8"}, "No such file or directory"},
		{[]string{"LANG=C.utf8"}, "No such file or directory"},
		{[]string{"LANG=en_US.UTF-8"}, "No such file or directory"},
		{[]string{"LC_TIME=C.UTF-8"}, "No such file or directory"},
		{[]string{"LC_ALL=/tmp/x"}, "No such file or directory"},
		{[]string{"LC_ALL=C", "LANG=C.UTF-8"}, "Success"},
		{[]string{"LC_ALL=de_DE", "LANG=C"}, "No such file or directory"},
		{[]string{"LANG=C", "LANG=de_DE"}, "Success"}, // getenv: the first wins
		{[]string{"LC_MESSAGES=POSIX"}, "Success"},
	}
	for _, tt := range tests {
		if got := staleErrno(tt.env); got != tt.want {
			t.Errorf("staleErrno(%q) = %q; want %q", tt.env, got, tt.want)
		}
	}
}

func TestShortName(t *testing.T) {
	for in, want := range map[string]string{
		"setsid": "setsid", "/usr/bin/setsid": "setsid", "./x/setsid": "setsid",
		"/x/setsid/": "", "": "",
	} {
		if got := shortName(in); got != want {
			t.Errorf("shortName(%q) = %q; want %q", in, got, want)
		}
	}
}

type failWriter struct{ err error }

func (w failWriter) Write([]byte) (int, error) { return 0, w.err }

// TestRunNoExec calls Run directly for every path that returns before
// setsid(2), fork or exec.
func TestRunNoExec(t *testing.T) {
	help := fmt.Sprintf(helpText, "setsid")
	tests := []struct {
		argv           []string
		stdoutErr      error
		code           int
		stdout, stderr string
	}{
		{argv: []string{"setsid"}, code: 1,
			stderr: "setsid: no command specified\nTry 'setsid --help' for more information.\n"},
		{argv: []string{"/bin/setsid", "-c", "-f", "-w"}, code: 1,
			stderr: "setsid: no command specified\nTry 'setsid --help' for more information.\n"},
		{argv: []string{"/bin/setsid", "-fz"}, code: 1,
			stderr: "/bin/setsid: invalid option -- 'z'\nTry 'setsid --help' for more information.\n"},
		{argv: []string{"./setsid", "--ctty=yes", "x"}, code: 1,
			stderr: "./setsid: option '--ctty' doesn't allow an argument\nTry 'setsid --help' for more information.\n"},
		{argv: []string{"setsid", "--hel", "--nope"}, code: 0, stdout: help},
		{argv: []string{"/x/setsid", "--ver"}, code: 0,
			stdout: "setsid from nohupx " + version.Version + " (util-linux 2.38.1 compatible)\n"},
		{argv: []string{"setsid", "-V"}, stdoutErr: syscall.ENOSPC, code: 1,
			stderr: "setsid: write error: No space left on device\n"},
		{argv: []string{"setsid", "-h"}, stdoutErr: syscall.EPIPE, code: 0},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		stdio := applet.Stdio{Out: &stdout, Err: &stderr}
		if tt.stdoutErr != nil {
			stdio.Out = failWriter{tt.stdoutErr}
		}
		code := Run(tt.argv, stdio, nil)
		if code != tt.code || stdout.String() != tt.stdout || stderr.String() != tt.stderr {
			t.Errorf("Run(%q) = %d, stdout %q, stderr %q; want %d, %q, %q",
				tt.argv, code, stdout.String(), stderr.String(), tt.code, tt.stdout, tt.stderr)
		}
	}
	if !strings.HasPrefix(help, "\nUsage:\n setsid [options]") {
		t.Errorf("help starts %q", help[:30])
	}
}
