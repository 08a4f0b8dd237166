package sigs

import "testing"

func FuzzParseList(f *testing.F) {
	for _, s := range []string{"TERM,CONT,20", "SIGHUP", "0", "", "KILL", "term,,hup", "999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		set, err := ParseList(s)
		if err != nil {
			return
		}
		for _, sig := range set {
			if sig <= 0 || sig > 64 {
				t.Fatalf("ParseList(%q) gave signal %d", s, sig)
			}
		}
	})
}
