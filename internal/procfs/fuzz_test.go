package procfs

import "testing"

func FuzzParseStat(f *testing.F) {
	f.Add([]byte("4242 (a (b) c) S 1 4242 4242 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 123 0 0\n"))
	f.Add([]byte("1 (init) S"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = ParseStat(b)
	})
}
