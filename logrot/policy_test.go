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
		p    Policy
		err  string
		text string
	}{
		{DefaultPolicy, "", "rotated at 100M, keeping the first and the 5 newest backups"},
		{Policy{MaxSize: 1}, "", "rotated at 1, keeping every backup"},
		{Policy{MaxSize: 512 << 10, Keep: 1, MaxAge: 90 * time.Minute, Compress: true}, "",
			"rotated at 512K, keeping the first and the 1 newest backup for at most 1h30m, gzipped"},
		{Policy{}, "--max-size must be at least 1 byte", ""},
		{Policy{MaxSize: -5}, "--max-size must be at least 1 byte, got -5", ""},
		{Policy{MaxSize: 1 << 62}, "too large", ""},
		{Policy{MaxSize: 1, Keep: -1}, "--keep must be 0 (all) or more, got -1", ""},
		{Policy{MaxSize: 1, MaxAge: -time.Second}, "--max-age must be 0 (no limit) or more, got -1s", ""},
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
		if got := tt.p.String(); got != tt.text {
			t.Errorf("%+v.String() = %q; want %q", tt.p, got, tt.text)
		}
	}
}

func TestParseAge(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		err  string
	}{
		{"30s", 30 * time.Second, ""},
		{"90m", 90 * time.Minute, ""},
		{"36h", 36 * time.Hour, ""},
		{"7d", 7 * 24 * time.Hour, ""},
		{"1d12h", 36 * time.Hour, ""},
		{"0s", 0, ""},
		{"", 0, "want a number with a unit"},
		{"7", 0, "want a number with a unit"},
		{"d", 0, "want a number with a unit"},
		{"1.5h", 0, "unknown or misplaced unit"},
		{"1w", 0, "unknown or misplaced unit"},
		{"1h1d", 0, "unknown or misplaced unit"},
		{"1h1h", 0, "unknown or misplaced unit"},
		{"-1h", 0, "want a number with a unit"},
		{"99999999999999999d", 0, "too large"},
	}
	for _, tt := range tests {
		got, err := ParseAge(tt.in)
		switch {
		case tt.err == "" && (err != nil || got != tt.want):
			t.Errorf("ParseAge(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err) || !errors.Is(err, ErrBadAge)):
			t.Errorf("ParseAge(%q) = %v, %v; want an ErrBadAge saying %q", tt.in, got, err, tt.err)
		}
		if err == nil && tt.want > 0 {
			if back, err := ParseAge(FormatAge(got)); err != nil || back != got {
				t.Errorf("ParseAge(FormatAge(%v) = %q) = %v, %v", got, FormatAge(got), back, err)
			}
		}
	}
}

func TestSet(t *testing.T) {
	for _, tt := range []struct{ name, value, err string }{
		{"max-size", "0", "--max-size: invalid size \"0\": want 1 byte to 1T"},
		{"max-size", "2T", "--max-size: invalid size \"2T\""},
		{"max-size", "10MB", "--max-size: invalid size \"10MB\": MB is ambiguous"},
		{"keep", "-1", "--keep: invalid number of backups \"-1\""},
		{"max-age", "3w", "--max-age: invalid age \"3w\""},
		{"max-age", "00", "--max-age: invalid age \"00\""},
	} {
		var p Policy
		if ok, err := p.Set(tt.name, tt.value); !ok || err == nil || !strings.HasPrefix(err.Error(), tt.err) {
			t.Errorf("Set(%s, %s) = %v, %v; want an error starting %q", tt.name, tt.value, ok, err, tt.err)
		}
	}
	p := Policy{MaxAge: time.Hour}
	if ok, err := p.Set("max-age", "0"); !ok || err != nil || p.MaxAge != 0 {
		t.Errorf("Set(max-age, 0) = %v, %v, %v; want no limit, as --keep=0 keeps all", ok, err, p.MaxAge)
	}
	if ok, err := p.Set("max-size", "512K"); !ok || err != nil || p.MaxSize != 524288 {
		t.Errorf("Set(max-size, 512K) = %v, %v, %d; want 524288 bytes exactly", ok, err, p.MaxSize)
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
		{"", "bad request: EOF"},
		{`{"Path":"x","Policy":{"MaxSize":1}}`, "not absolute"},
		{`{"Path":"/x","Policy":{"MaxSize":1},"Size":1}`, "unknown field \"Size\""},
		{`{"Path":"/x","Policy":{"MaxSize":0}}`, "--max-size must be at least 1 byte"},
		{`{"Path":"/x",`, "bad request"},
	}
	for _, tt := range bad {
		if _, err := decodeRequest(strings.NewReader(tt.in)); err == nil || !strings.Contains(err.Error(), tt.err) {
			t.Errorf("decodeRequest(%q) = %v; want an error saying %q", tt.in, err, tt.err)
		}
	}
}
