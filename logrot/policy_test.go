package logrot

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestParseSize(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		err  string // part of the error, "" for none
	}{
		{"1048576", 1 << 20, ""},
		{"100B", 100, ""},
		{"512K", 512 << 10, ""},
		{"512k", 512 << 10, ""},
		{"100M", 100 << 20, ""},
		{"100MiB", 100 << 20, ""},
		{"1G", 1 << 30, ""},
		{"1gib", 1 << 30, ""},
		{"2T", 2 << 40, ""},
		{"0", 0, ""},
		{"", 0, "want an integer"},
		{"M", 0, "want an integer"},
		{"1.5G", 0, "want an integer"},
		{"-1M", 0, "want an integer"},
		{"+1M", 0, "want an integer"},
		{" 1M", 0, "want an integer"},
		{"10X", 0, "want an integer"},
		{"100MB", 0, "MB is ambiguous"},
		{"1kb", 0, "kb is ambiguous"},
		{"9999999999T", 0, "too large"},
		{"99999999999999999999", 0, "too large"},
	}
	for _, tt := range tests {
		got, err := ParseSize(tt.in)
		switch {
		case tt.err == "" && (err != nil || got != tt.want):
			t.Errorf("ParseSize(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err) || !strings.Contains(err.Error(), `"`+tt.in+`"`)):
			t.Errorf("ParseSize(%q) = %d, %v; want an error naming the value and saying %q", tt.in, got, err, tt.err)
		case tt.err != "" && !errors.Is(err, ErrBadSize):
			t.Errorf("ParseSize(%q) error %v does not wrap ErrBadSize", tt.in, err)
		}
	}
}

func TestFormatSize(t *testing.T) {
	for _, n := range []int64{1, 1023, 1024, 1536, 1 << 20, 100 << 20, 3 << 30, 1 << 40, 1<<40 + 1<<20} {
		s := FormatSize(n)
		if got, err := ParseSize(s); err != nil || got != n {
			t.Errorf("ParseSize(FormatSize(%d) = %q) = %d, %v", n, s, got, err)
		}
	}
	if got := FormatSize(100 << 20); got != "100M" {
		t.Errorf("FormatSize(100 MiB) = %q; want 100M", got)
	}
}

func TestPolicy(t *testing.T) {
	tests := []struct {
		p       Policy
		err     string
		rounded Policy
		text    string
	}{
		{DefaultPolicy, "", DefaultPolicy, "rotate at 100M, keep 5 backups"},
		{Policy{MaxSize: 1}, "", Policy{MaxSize: 1 << 20}, "rotate at 1M, keep all backups"},
		{Policy{MaxSize: 1<<20 + 1, Keep: 1, MaxAge: time.Hour, Compress: true}, "",
			Policy{MaxSize: 2 << 20, Keep: 1, MaxAge: 24 * time.Hour, Compress: true},
			"rotate at 2M, keep 1 backup for at most 1 day, gzipped"},
		{Policy{MaxSize: 512 << 10, MaxAge: 49 * time.Hour}, "", Policy{MaxSize: 1 << 20, MaxAge: 72 * time.Hour},
			"rotate at 1M, keep all backups for at most 3 days"},
		{Policy{}, "max size must be positive", Policy{}, ""},
		{Policy{MaxSize: -5}, "max size must be positive, got -5", Policy{}, ""},
		{Policy{MaxSize: 1 << 62}, "too large", Policy{}, ""},
		{Policy{MaxSize: 1, Keep: -1}, "backups to keep must be 0 (all) or more, got -1", Policy{}, ""},
		{Policy{MaxSize: 1, MaxAge: -time.Second}, "max age must be 0 (no limit) or more, got -1s", Policy{}, ""},
	}
	for _, tt := range tests {
		err := tt.p.Validate()
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) || !errors.Is(err, ErrBadPolicy) {
				t.Errorf("%+v.Validate() = %v; want an ErrBadPolicy saying %q", tt.p, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%+v.Validate() = %v", tt.p, err)
		}
		if got := tt.p.Rounded(); got != tt.rounded {
			t.Errorf("%+v.Rounded() = %+v; want %+v", tt.p, got, tt.rounded)
		}
		if got := tt.p.String(); got != tt.text {
			t.Errorf("%+v.String() = %q; want %q", tt.p, got, tt.text)
		}
	}
}

func TestRequest(t *testing.T) {
	want := request{Path: "/tmp/a \"b\"\n\x01c/nohup.out", Policy: Policy{MaxSize: 3 << 20, Keep: 7, MaxAge: 48 * time.Hour, Compress: true}}
	var b strings.Builder
	if err := want.encode(&b); err != nil {
		t.Fatal(err)
	}
	got, err := decodeRequest(strings.NewReader(b.String()))
	if err != nil || got != want {
		t.Fatalf("decode(encode(%+v)) = %+v, %v", want, got, err)
	}
	bad := []struct{ in, err string }{
		{"", "want \"nohupx-relay-request 1\" first"},
		{"nohupx-relay-request 2\n", "first"},
		{requestMagic + "\npath \"/x\"\nmax-size 1\nkeep 0\nmax-age 0\n", "no compress"},
		{requestMagic + "\npath \"x\"\nmax-size 1\nkeep 0\nmax-age 0\ncompress false\n", "not absolute"},
		{requestMagic + "\npath /x\n", "path \"/x\""},
		{requestMagic + "\nsize 1\n", "unknown key \"size\""},
		{requestMagic + "\npath \"/x\"\nmax-size 0\nkeep 0\nmax-age 0\ncompress false\n", "max size must be positive"},
	}
	for _, tt := range bad {
		if _, err := decodeRequest(strings.NewReader(tt.in)); err == nil || !strings.Contains(err.Error(), tt.err) {
			t.Errorf("decodeRequest(%q) = %v; want an error saying %q", tt.in, err, tt.err)
		}
	}
}
