package procfs

import (
	"bytes"
	"testing"
)

func FuzzParseStat(f *testing.F) {
	f.Add([]byte("4242 (a (b) c) S 1 4242 4242 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 123 0 0\n"))
	f.Add([]byte("1 (init) S"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = ParseStat(b)
	})
}

func FuzzParseStatus(f *testing.F) {
	f.Add([]byte("Name:\tsh\nState:\tS (sleeping)\nTgid:\t42\nTracerPid:\t0\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nSigIgn:\t0000000000000001\n"))
	f.Add([]byte("Name:\ttmux: server\nPPid:\t1\nUid:\t1000\t1000\t1000\t1000\n"))
	f.Add([]byte("Uid:\tx\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		st, err := ParseStatus(bytes.NewReader(b))
		if err != nil && st != (Status{}) {
			t.Errorf("ParseStatus(%q) = %+v with error %v; want the zero Status with an error", b, st, err)
		}
	})
}
