package nohupx

import (
	"strings"
	"testing"
)

// FuzzParse: any command line gets options, an action or an error, never a
// panic; a command, when there is one, is what followed the options.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"--survive\x00cmd", "-o\x00f\x00--max-size=1M\x00x", "-p\x00-a\x0042", "--ignore=TERM,,\x00x", "--co\x00x", "-g"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		args := strings.Split(s, "\x00")
		o, act, err := parse("nohupx", args)
		if err == nil && act == actRun && (len(o.Command) == 0 || o.Policy.Validate() != nil) {
			t.Fatalf("parse(%q) = %+v with no command or a bad policy", args, o)
		}
	})
}
