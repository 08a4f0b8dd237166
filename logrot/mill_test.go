//go:build linux

package logrot

import (
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestMill(t *testing.T) {
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		p     Policy
		first string   // the job's first backup, kept by Keep
		want  []string // what is left beside the live file
	}{
		{"keep all", Policy{MaxSize: MiB}, "", []string{"a", "b", "c", "d"}},
		{"keep 2", Policy{MaxSize: MiB, Keep: 2}, "", []string{"c", "d"}},
		{"keep 2 and the first", Policy{MaxSize: MiB, Keep: 2}, "a", []string{"a", "c", "d"}},
		{"max age 2 days", Policy{MaxSize: MiB, MaxAge: 48 * time.Hour}, "", []string{"b", "c", "d"}},
		{"max age removes the first too", Policy{MaxSize: MiB, MaxAge: 48 * time.Hour}, "a", []string{"b", "c", "d"}},
		{"compress, keep 3", Policy{MaxSize: MiB, Keep: 3, Compress: true}, "", []string{"b.gz", "c.gz", "d.gz"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			live := filepath.Join(dir, "job.out")
			os.WriteFile(live, []byte("live\n"), 0o600)
			s := testSink(t, live, tt.p)
			s.now = func() time.Time { return now }
			ages := map[string]time.Duration{"a": 72 * time.Hour, "b": 36 * time.Hour, "c": 2 * time.Hour, "d": time.Hour}
			byName := map[string]string{}
			for tag, age := range ages {
				n := s.names.name(now.Add(-age))
				byName[n] = tag
				byName[n+compressSuffix] = tag + ".gz"
				os.WriteFile(filepath.Join(dir, n), []byte("backup "+tag+"\n"), 0o600)
				if tag == tt.first {
					s.j.put(jFirst, uint64(now.Add(-age).UnixMilli()))
				}
			}
			m := startMill(s)
			m.close()

			ents, _ := os.ReadDir(dir)
			var got []string
			for _, e := range ents {
				if e.Name() != "job.out" {
					got = append(got, byName[e.Name()])
				}
			}
			slices.Sort(got)
			if !slices.Equal(got, tt.want) {
				t.Errorf("left %q; want %q", got, tt.want)
			}
			// Every removal is noted, naming the file.
			removed := 4 - len(tt.want)
			if len(s.notes) != removed {
				t.Errorf("notes %q; want %d, one per removal", s.notes, removed)
			}
			for _, n := range s.notes {
				if !strings.HasPrefix(n, "removed job-") || !strings.Contains(n, "bytes, output from") {
					t.Errorf("note %q; want it to name the file, its size and its time span", n)
				}
			}
			for _, e := range ents {
				if tag := byName[e.Name()]; len(tag) > 3 {
					f, _ := os.Open(filepath.Join(dir, e.Name()))
					zr, err := gzip.NewReader(f)
					if err != nil {
						t.Fatalf("%s: %v", e.Name(), err)
					}
					b, err := io.ReadAll(zr)
					f.Close()
					if err != nil || string(b) != "backup "+tag[:1]+"\n" {
						t.Errorf("%s holds %q, %v; want backup %s", e.Name(), b, err, tag[:1])
					}
					if st, _ := os.Stat(filepath.Join(dir, e.Name())); st.Mode().Perm() != 0o600 {
						t.Errorf("%s mode %v; want the original's -rw-------", e.Name(), st.Mode())
					}
				}
			}
		})
	}
}
