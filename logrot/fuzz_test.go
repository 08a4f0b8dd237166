package logrot

import (
	"strings"
	"testing"
	"time"
)

// The parsers of what users and other processes hand the relay: none may
// panic, and what they accept must print back to the same value.

func FuzzParseSize(f *testing.F) {
	for _, s := range []string{"0", "1", "512K", "100M", "1GiB", "2T", "10MB", "", "-1", "9999999999999999999T"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseSize(s)
		if err != nil {
			return
		}
		if n < 0 {
			t.Fatalf("ParseSize(%q) = %d", s, n)
		}
		if back, err := ParseSize(FormatSize(n)); err != nil || back != n {
			t.Fatalf("ParseSize(FormatSize(%d) = %q) = %d, %v", n, FormatSize(n), back, err)
		}
	})
}

func FuzzParseAge(f *testing.F) {
	for _, s := range []string{"30s", "90m", "36h", "7d", "1d12h", "", "1h1d", "1.5h", "99999999999999999999d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseAge(s)
		if err != nil {
			return
		}
		if d < 0 || d%time.Second != 0 {
			t.Fatalf("ParseAge(%q) = %v", s, d)
		}
		if back, err := ParseAge(FormatAge(d)); d > 0 && (err != nil || back != d) {
			t.Fatalf("ParseAge(FormatAge(%v) = %q) = %v, %v", d, FormatAge(d), back, err)
		}
	})
}

func FuzzDecodeRequest(f *testing.F) {
	var b strings.Builder
	request{Path: "/a/nohup.out", Policy: DefaultPolicy}.encode(&b)
	f.Add(b.String())
	f.Add(`{"Path":"x"}`)
	f.Add(`{"Path":"/x","Policy":{"MaxSize":-1}}`)
	f.Fuzz(func(t *testing.T, s string) {
		r, err := decodeRequest(strings.NewReader(s))
		if err == nil && (!strings.HasPrefix(r.Path, "/") || r.Policy.Validate() != nil) {
			t.Fatalf("decodeRequest(%q) accepted %+v", s, r)
		}
	})
}

func FuzzRelayOf(f *testing.F) {
	f.Add("nohupx:relay\x00/home/u/nohup.out\x00")
	f.Add("nohupx:relay-hold\x00/x\x00")
	f.Add("sleep\x0010\x00")
	f.Fuzz(func(t *testing.T, s string) {
		stage, path, ok := relayOf(strings.NewReader(s))
		if ok && (stage != RelayStage && stage != HolderStage || strings.ContainsRune(path, 0)) {
			t.Fatalf("relayOf(%q) = %q, %q", s, stage, path)
		}
	})
}
