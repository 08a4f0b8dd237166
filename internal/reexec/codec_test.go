package reexec

import (
	"errors"
	"strings"
	"testing"
)

func TestStatusRoundTrip(t *testing.T) {
	for _, tt := range []struct {
		line string
		kind string
		n    int
		err  string
	}{
		{OK(42), "ok", 42, ""},
		{Exit(256), "exit", 256, ""},
		{Error(127, errors.New("failed to run command 'x':\nno such file")), "error", 127, "failed to run command 'x': no such file"},
		{"", "", 0, "ended without a word"},
		{"ok x\n", "", 0, `said "ok x"`},
		{"hello\n", "", 0, `said "hello"`},
		{"error 0 it failed\n", "", 0, `said "error 0 it failed"`},
		{"error 300 it failed\n", "", 0, `said "error 300 it failed"`},
	} {
		kind, n, err := ParseStatus(tt.line)
		var se *StageError
		switch {
		case tt.err == "" && (err != nil || kind != tt.kind || n != tt.n):
			t.Errorf("ParseStatus(%q) = %q, %d, %v; want %q, %d", tt.line, kind, n, err, tt.kind, tt.n)
		case tt.kind == "error" && (!errors.As(err, &se) || se.Code != tt.n || se.Msg != tt.err):
			t.Errorf("ParseStatus(%q) = %v; want a StageError %d %q", tt.line, err, tt.n, tt.err)
		case tt.err != "" && tt.kind == "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("ParseStatus(%q) = %v; want an error saying %q", tt.line, err, tt.err)
		}
	}
}

func TestRequest(t *testing.T) {
	type req struct {
		Argv []string
		N    int
	}
	var b strings.Builder
	if err := WriteRequest(&b, req{Argv: []string{"a b", "\x00"}, N: 3}); err != nil {
		t.Fatal(err)
	}
	var got req
	if err := ReadRequest(strings.NewReader(b.String()), &got); err != nil || got.N != 3 || got.Argv[1] != "\x00" {
		t.Errorf("ReadRequest = %+v, %v", got, err)
	}
	if err := ReadRequest(strings.NewReader(`{"N":1,"M":2}`), &got); err == nil || !strings.Contains(err.Error(), `unknown field "M"`) {
		t.Errorf("ReadRequest with an unknown field = %v; want it refused", err)
	}
}

func FuzzParseStatus(f *testing.F) {
	for _, s := range []string{OK(1), Exit(0), Error(125, errors.New("x")), "", "error x y", "ok -1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		kind, n, err := ParseStatus(line)
		if err != nil {
			return
		}
		var back string
		switch kind {
		case "ok":
			back = OK(n)
		case "exit":
			back = Exit(n)
		default:
			t.Fatalf("ParseStatus(%q) = kind %q without an error", line, kind)
		}
		if k2, n2, err := ParseStatus(back); err != nil || k2 != kind || n2 != n {
			t.Fatalf("ParseStatus(%q) round trip: %q, %d, %v", back, k2, n2, err)
		}
	})
}
