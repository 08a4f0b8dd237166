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

// FuzzDecodeRequest: what the session stage reads from its request pipe
// never panics, and what it accepts always names a command.
func FuzzDecodeRequest(f *testing.F) {
	var b strings.Builder
	request{Argv: []string{"sleep", "1"}, File: "/bin/sleep", Dir: "/", Umask: -1, Status: 4, Control: 5, Plumb: []int{3, 4, 5}}.encode(&b)
	f.Add(b.String())
	f.Add(`{"Argv":[]}`)
	f.Add(`{"Argv":["x"],"Pidfile":{"Lock":-1,"Dir":7,"Name":"../p"}}`)
	f.Fuzz(func(t *testing.T, s string) {
		r, err := decodeRequest(strings.NewReader(s))
		if err == nil && len(r.Argv) == 0 {
			t.Fatalf("decodeRequest(%q) accepted a request without a command", s)
		}
	})
}
