//go:build linux

package logrot

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"
)

// fakeClock returns the times in order, then the last one for ever.
type fakeClock struct{ times []time.Time }

func (c *fakeClock) now() time.Time {
	t := c.times[0]
	if len(c.times) > 1 {
		c.times = c.times[1:]
	}
	return t
}

// TestSinkBackupNames checks that backup names never collide and sort in
// the order of the data, whatever the clock does.
func TestSinkBackupNames(t *testing.T) {
	base := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	ms := time.Millisecond
	tests := []struct {
		name     string
		clock    []time.Time
		existing []time.Time // backups left by an earlier run
	}{
		{"frozen clock", []time.Time{base}, nil},
		{"clock stepped back", []time.Time{base, base.Add(ms), base.Add(2 * ms), base.Add(-time.Hour)}, nil},
		{"backups from the future", []time.Time{base}, []time.Time{base.Add(3 * ms), base.Add(time.Hour)}},
		{"gzipped backup in the way", []time.Time{base}, []time.Time{base}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "nohup.out")
			names := newBackupNamer(-1, filepath.Base(path))
			old := map[string][]byte{}
			for i, ts := range tt.existing {
				name := filepath.Join(filepath.Dir(path), names.name(ts))
				if tt.name == "gzipped backup in the way" {
					name += compressSuffix
				}
				old[name] = []byte{byte('A' + i)}
				if err := os.WriteFile(name, old[name], 0o600); err != nil {
					t.Fatal(err)
				}
			}
			os.WriteFile(path, nil, 0o600)
			s := testSink(t, path, Policy{MaxSize: 1 << 20})
			s.now = (&fakeClock{times: tt.clock}).now
			if err := s.Open(); err != nil {
				t.Fatal(err)
			}
			const total = 20<<20 + 123
			for off := int64(0); off < total; off += 700 << 10 {
				s.Write(pattern(off, min(700<<10, total-off)), nil)
			}
			if err := errors.Join(s.Finish(), s.Close()); err != nil {
				t.Fatal(err)
			}
			for name, data := range old {
				if got, err := os.ReadFile(name); err != nil || !bytes.Equal(got, data) {
					t.Errorf("earlier backup %s = %q, %v; want it untouched", filepath.Base(name), got, err)
				}
				os.Remove(name)
			}
			verifyStream(t, path, total, 1<<20)
			files := logFiles(t, path)
			if !sort.StringsAreSorted(files[:len(files)-1]) || len(files) < 20 {
				t.Errorf("files = %v", files)
			}
		})
	}
}

func TestLineCut(t *testing.T) {
	long := bytes.Repeat([]byte("x"), 2*lineWindow)
	tests := []struct {
		p    string
		room int64
		want int
	}{
		{"abc\ndef\n", 0, 0},
		{"abc\ndef\n", 3, 0},
		{"abc\ndef\n", 4, 4},
		{"abc\ndef\n", 7, 4},
		{"abcdef", 5, 0},
		{"a\n" + string(long), int64(len(long)), 0}, // the newline is too far back
		{string(long) + "\n" + string(long), int64(len(long)) + 10, len(long) + 1},
	}
	for _, tt := range tests {
		if got := lineCut([]byte(tt.p), tt.room); got != tt.want {
			t.Errorf("lineCut(%.10q…, %d) = %d; want %d", tt.p, tt.room, got, tt.want)
		}
	}
}

// TestSinkRotateNow checks that USR1's rotation skips an empty file, and
// that lines stay whole across a size rotation when they can.
func TestSinkRotateNow(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nohup.out")
	os.WriteFile(path, nil, 0o600)
	s := testSink(t, path, Policy{MaxSize: 1 << 20})
	if err := s.Open(); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	steps := []struct {
		write  string
		rotate bool
		files  int
	}{
		{rotate: true, files: 1},
		{write: "one\n", files: 1},
		{rotate: true, files: 2},
		{rotate: true, files: 2},
		{write: "two\n", rotate: true, files: 3},
	}
	for i, st := range steps {
		if st.write != "" {
			s.Write([]byte(st.write), nil)
		}
		if st.rotate {
			if err := s.RotateNow(); err != nil {
				t.Fatal(err)
			}
		}
		if got := len(logFiles(t, path)); got != st.files {
			t.Errorf("step %d: %d files; want %d", i, got, st.files)
		}
	}
	if got := string(readLog(t, path)); got != "one\ntwo\n" {
		t.Errorf("log = %q; want %q", got, "one\ntwo\n")
	}

	// A chunk that does not fit ends the file at its last line.
	s.Write(append(bytes.Repeat([]byte("a"), 1<<20-21), '\n'), nil)
	s.Write([]byte("0123456789\nabcdefghijklmn"), nil)
	files := logFiles(t, path)
	last, _ := os.ReadFile(files[len(files)-2])
	live, _ := os.ReadFile(files[len(files)-1])
	if !bytes.HasSuffix(last, []byte("a\n0123456789\n")) || string(live) != "abcdefghijklmn" {
		t.Errorf("backup ends %q, live file %q; want the line split at the newline", last[max(0, len(last)-13):], live)
	}
}
