package nohupx

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/nohupx/nohupx/internal/applet"
	"github.com/nohupx/nohupx/internal/quote"
	"github.com/nohupx/nohupx/jobs"
)

// TestRunStreams: the applet writes to the streams it is given and reads
// the environment it is given, not the process's.
func TestRunStreams(t *testing.T) {
	state := "XDG_STATE_HOME=" + t.TempDir()
	tests := []struct {
		args     []string
		env      []string
		code     int
		out, err string // prefixes
	}{
		{args: []string{"--help"}, out: "Usage: nohupx [OPTION]... COMMAND [ARG]..."},
		{args: []string{"--bogus"}, code: 125, err: "nohupx: unrecognized option '--bogus'\nTry 'nohupx --help'"},
		{args: []string{"--bogus"}, env: []string{"POSIXLY_CORRECT="}, code: 127, err: "nohupx: unrecognized option"},
		{args: []string{"--jobs"}, env: []string{state}, out: "no job is recorded\n"},
		{args: []string{"--jobs", "--json"}, env: []string{state}},
		{args: []string{"--wait=abcd"}, env: []string{state}, code: 125, err: "nohupx: no job has been recorded"},
		{args: []string{"--jobs"}, env: []string{"HOME=relative"}, code: 125, err: "nohupx: cannot use the job record: neither XDG_STATE_HOME nor HOME is an absolute path\n"},
	}
	for _, tt := range tests {
		var out, errb bytes.Buffer
		code := Run(append([]string{"nohupx"}, tt.args...), applet.Stdio{Out: &out, Err: &errb}, tt.env)
		if code != tt.code || !strings.HasPrefix(out.String(), tt.out) || !strings.HasPrefix(errb.String(), tt.err) ||
			(tt.out == "" && out.Len() > 0) || (tt.err == "" && errb.Len() > 0) {
			t.Errorf("Run(%q, env %q) = %d, out %q, err %q; want %d, %q, %q", tt.args, tt.env, code, out.String(), errb.String(), tt.code, tt.out, tt.err)
		}
	}
}

// TestLogIntoItself: --log refuses to print a job's output into that same
// file, which would never end, as cat refuses.
func TestLogIntoItself(t *testing.T) {
	state := t.TempDir()
	out := filepath.Join(t.TempDir(), "job.out")
	if err := os.WriteFile(out, []byte("line\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := jobs.Open(filepath.Join(state, "nohupx", "jobs"), true)
	if err != nil {
		t.Fatal(err)
	}
	r := jobs.Record{By: "nohupx", Pid: 1, StartTicks: 12345, Command: []string{"job"}, Output: out, Started: time.Now()}
	if err := s.Create(&r); err != nil {
		t.Fatal(err)
	}
	s.Close()
	f, err := os.OpenFile(out, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var errb bytes.Buffer
	code := Run([]string{"nohupx", "--log=" + r.ID}, applet.Stdio{Out: f, Err: &errb}, []string{"XDG_STATE_HOME=" + state})
	if data, _ := os.ReadFile(out); code != 125 || !strings.Contains(errb.String(), "standard output is the job's output file") || string(data) != "line\n" {
		t.Errorf("--log into its own file = %d %q, file %q; want 125, one line, the file untouched", code, errb.String(), data)
	}
}

// TestLogNamesWhatIsGone: when the job's output or its directory is gone,
// or something else is at the directory's name, --log says which.
func TestLogNamesWhatIsGone(t *testing.T) {
	tests := []struct {
		name  string
		spoil func(dir, out string) error
		want  func(dir, out string) string
	}{
		{"output removed", func(dir, out string) error { return os.Remove(out) },
			func(dir, out string) string { return quote.Shell(out) + ": No such file or directory" }},
		{"directory removed", func(dir, out string) error { return os.RemoveAll(dir) },
			func(dir, out string) string { return quote.Shell(dir) + ": No such file or directory" }},
		{"a FIFO at the directory's name", func(dir, out string) error {
			if err := os.RemoveAll(dir); err != nil {
				return err
			}
			return unix.Mkfifo(dir, 0o600)
		}, func(dir, out string) string { return quote.Shell(dir) + ": Not a directory" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			state := t.TempDir()
			dir := filepath.Join(t.TempDir(), "logs")
			out := filepath.Join(dir, "job.out")
			os.Mkdir(dir, 0o700)
			if err := os.WriteFile(out, []byte("line\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			s, err := jobs.Open(filepath.Join(state, "nohupx", "jobs"), true)
			if err != nil {
				t.Fatal(err)
			}
			r := jobs.Record{By: "nohupx", Pid: 1, StartTicks: 12345, Command: []string{"job"}, Output: out, Started: time.Now()}
			if err := s.Create(&r); err != nil {
				t.Fatal(err)
			}
			s.Close()
			if err := tt.spoil(dir, out); err != nil {
				t.Fatal(err)
			}
			var stdout, errb bytes.Buffer
			code := Run([]string{"nohupx", "--log=" + r.ID}, applet.Stdio{Out: &stdout, Err: &errb}, []string{"XDG_STATE_HOME=" + state})
			want := "nohupx: job " + r.ID + ": " + tt.want(dir, out) + "\n"
			if code != 125 || errb.String() != want {
				t.Errorf("--log = %d %q; want 125 %q", code, errb.String(), want)
			}
		})
	}
}
