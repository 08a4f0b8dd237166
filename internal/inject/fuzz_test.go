package inject

import (
	"bytes"
	"testing"
)

// The /proc parsers: none may panic on whatever the kernel (or a test)
// hands them.

func FuzzParseMaps(f *testing.F) {
	f.Add([]byte("7f0000000000-7f0000001000 r-xp 00000000 08:01 42 /usr/lib/libc.so.6\n"))
	f.Add([]byte("zz-yy r 0 0 0\n"))
	f.Fuzz(func(t *testing.T, b []byte) { _, _ = parseMaps(bytes.NewReader(b)) })
}

func FuzzParseTTYDrivers(f *testing.F) {
	f.Add([]byte("/dev/tty             /dev/tty        5       0 system:/dev/tty\npty_slave            /dev/pts      136 0-1048575 pty:slave\n"))
	f.Fuzz(func(t *testing.T, b []byte) { _, _ = parseTTYDrivers(bytes.NewReader(b)) })
}

func FuzzParseFdinfoFlags(f *testing.F) {
	f.Add([]byte("pos:\t0\nflags:\t02100002\nmnt_id:\t25\n"))
	f.Fuzz(func(t *testing.T, b []byte) { _, _ = parseFdinfoFlags(b) })
}
