package setsid

import (
	"io"
	"strings"
	"testing"

	"github.com/nohupx/nohupx/internal/applet"
)

// FuzzParse: any command line parses without a panic, and a program is
// found only when parsing succeeded.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"-fw\x00sh", "--ctty\x00--fo\x00x", "-V", "--he\x00--bogus", "-c\x00--\x00-x", "--=x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		args := append([]string{"setsid"}, strings.Split(s, "\x00")...)
		c := &cmd{stdio: applet.Stdio{Out: io.Discard, Err: io.Discard}}
		o, code, done := c.parse(args)
		if !done && (code != 0 || len(o.command) == 0) {
			t.Errorf("parse(%q) = %+v, %d, not done; want a program and status 0", args, o, code)
		}
	})
}
