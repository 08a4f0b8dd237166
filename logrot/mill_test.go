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
	// a, b, c, d: backups from oldest to newest; those before the job's
	// first are an earlier job's. Keep counts them all, but removes
	// nothing before the job's first rotation.
	tests := []struct {
		name  string
		p     Policy
		first string   // the job's first backup, kept by Keep
		want  []string // what is left beside the live file
		spans []string // the removals' notes, in order: "from-to"
	}{
		{"keep all", Policy{MaxSize: MiB}, "a", []string{"a", "b", "c", "d"}, nil},
		{"keep 2, before the job rotates", Policy{MaxSize: MiB, Keep: 2}, "", []string{"a", "b", "c", "d"}, nil},
		{"keep 2 and the first", Policy{MaxSize: MiB, Keep: 2}, "a", []string{"a", "c", "d"}, []string{"a-b"}},
		{"keep 1 and the first", Policy{MaxSize: MiB, Keep: 1}, "a", []string{"a", "d"}, []string{"a-b", "b-c"}},
		{"keep 1 from b", Policy{MaxSize: MiB, Keep: 1}, "b", []string{"b", "d"}, []string{"start-a", "b-c"}},
		{"max age 2 days", Policy{MaxSize: MiB, MaxAge: 48 * time.Hour}, "", []string{"b", "c", "d"}, []string{"start-a"}},
		{"max age removes the first too", Policy{MaxSize: MiB, MaxAge: 48 * time.Hour}, "a", []string{"b", "c", "d"}, []string{"start-a"}},
		{"compress, keep 2", Policy{MaxSize: MiB, Keep: 2, Compress: true}, "a", []string{"a.gz", "c.gz", "d.gz"}, []string{"a-b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			live := filepath.Join(dir, "job.out")
			os.WriteFile(live, []byte("live\n"), 0o600)
			s := testSink(t, live, tt.p)
			s.now = func() time.Time { return now }
			ages := map[string]time.Duration{"a": 72 * time.Hour, "b": 36 * time.Hour, "c": 2 * time.Hour, "d": time.Hour}
			span := func(from, to string) string {
				f := "its start"
				if from != "start" {
					f = stamp(now.Add(-ages[from]))
				}
				return "output from " + f + " to " + stamp(now.Add(-ages[to]))
			}
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
			// Every removal is noted, naming the file and the time its
			// output spans, oldest first.
			removed := 4 - len(tt.want)
			if len(s.notes) != removed || len(tt.spans) != removed {
				t.Errorf("notes %q; want %d, one per removal", s.notes, removed)
			}
			for i, n := range s.notes[:min(len(s.notes), len(tt.spans))] {
				from, to, _ := strings.Cut(tt.spans[i], "-")
				if !strings.Contains(n, span(from, to)) {
					t.Errorf("note %d %q; want %q in it", i, n, span(from, to))
				}
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

// TestGzipNameTaken: a .gz name that is not the relay's is looked at
// before the backup is compressed, not after: the mill passes on a timer
// now, and would otherwise compress the whole backup at every pass only
// to find the name taken.
func TestGzipNameTaken(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "b"), []byte("backup\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/nonexistent", filepath.Join(dir, "b.gz")); err != nil {
		t.Fatal(err)
	}
	fd, err := os.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer fd.Close()
	err = gzipFile(int(fd.Fd()), "b", os.Geteuid())
	if err == nil || !strings.Contains(err.Error(), "b.gz: not ours; b stays uncompressed") {
		t.Errorf("gzipFile = %v; want it refused before compressing", err)
	}
	if target, _ := os.Readlink(filepath.Join(dir, "b.gz")); target != "/nonexistent" {
		t.Errorf("b.gz -> %q; want the planted link left alone", target)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "b")); string(b) != "backup\n" {
		t.Errorf("b holds %q; want it as it was", b)
	}
}

// TestGzipNameHardLink: a file of the relay's user at the .gz name that
// has another link is someone's link to a file of that user (root's, with
// fs.protected_hardlinks=0), not a .gz a killed writer left: the backup
// stays, uncompressed, and the linked file is not touched.
func TestGzipNameHardLink(t *testing.T) {
	dir := t.TempDir()
	other := filepath.Join(t.TempDir(), "other")
	for name, data := range map[string]string{filepath.Join(dir, "b"): "backup\n", other: "not a backup\n"} {
		if err := os.WriteFile(name, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Link(other, filepath.Join(dir, "b.gz")); err != nil {
		t.Fatal(err)
	}
	fd, err := os.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer fd.Close()
	if err := gzipFile(int(fd.Fd()), "b", os.Geteuid()); err == nil {
		t.Error("gzipFile = nil; want b.gz refused as not ours")
	}
	if b, err := os.ReadFile(filepath.Join(dir, "b")); string(b) != "backup\n" {
		t.Errorf("b holds %q, %v; want it as it was", b, err)
	}
	if b, _ := os.ReadFile(other); string(b) != "not a backup\n" {
		t.Errorf("the linked file holds %q; want it untouched", b)
	}
}
