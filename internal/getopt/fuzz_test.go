package getopt

import (
	"strings"
	"testing"
)

// FuzzParse feeds argument lists (NUL-separated) to the glibc-exact
// parser: it must not panic, and every option it returns must be one of
// the table's, with an argument exactly when the table says so.
func FuzzParse(f *testing.F) {
	specs := []Spec{{Long: "output", Short: 'o', Arg: true}, {Long: "quiet", Short: 'q'}, {Long: "quit"}, {Long: "help"}}
	for _, s := range []string{"-qo\x00f\x00cmd", "--out=x\x00--\x00-q", "--qu\x00x", "-x", "--output", "---\x00-"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		opts, rest, err := Parse(strings.Split(s, "\x00"), specs)
		if err != nil {
			return
		}
		for _, o := range opts {
			found := false
			for _, sp := range specs {
				if sp.Long == o.Name {
					found = true
					if !sp.Arg && o.Value != "" {
						t.Fatalf("%q: --%s took %q", s, o.Name, o.Value)
					}
				}
			}
			if !found {
				t.Fatalf("%q: unknown option %q returned", s, o.Name)
			}
		}
		_ = rest
	})
}
