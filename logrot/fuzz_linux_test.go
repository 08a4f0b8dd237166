package logrot

import (
	"strings"
	"testing"
)

func FuzzBackupName(f *testing.F) {
	f.Add("nohup-2026-11-21T11-23-32.418Z.out")
	f.Add("nohup-2026-11-21T11-23-32.418Z.out.gz")
	f.Add("nohup.out")
	names := newBackupNamer(-1, "nohup.out")
	f.Fuzz(func(t *testing.T, s string) {
		ts, ok := names.parse(s)
		if !ok {
			return
		}
		if n := names.name(ts); n != strings.TrimSuffix(s, compressSuffix) {
			t.Fatalf("parse(%q) = %v, which names %q", s, ts, n)
		}
	})
}
