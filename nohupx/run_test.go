package nohupx

import (
	"bytes"
	"strings"
	"testing"

	"github.com/nohupx/nohupx/internal/applet"
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
