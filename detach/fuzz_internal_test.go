package detach

import (
	"strings"
	"testing"
)

func FuzzParse(f *testing.F) {
	for _, s := range []string{"-p\x00--pidfile\x00f\x00cmd", "--ready\x00--timeout=2m\x00x", "--umask=0777\x00x", "-o"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		args := strings.Split(s, "\x00")
		_, _, _ = parse("detach", args)
	})
}
