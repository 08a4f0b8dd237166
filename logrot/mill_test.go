//go:build linux

package logrot

import (
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

func TestMill(t *testing.T) {
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		p    Policy
		want []string // what is left beside the live file, newest first
	}{
		{"keep all", Policy{MaxSize: MiB}, []string{"d", "c", "b", "a"}},
		{"keep 2", Policy{MaxSize: MiB, Keep: 2}, []string{"d", "c"}},
		{"max age 2 days", Policy{MaxSize: MiB, MaxAge: 48 * time.Hour}, []string{"d", "c", "b"}},
		{"compress, keep 3", Policy{MaxSize: MiB, Keep: 3, Compress: true}, []string{"d.gz", "c.gz", "b.gz"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			live := filepath.Join(dir, "job.out")
			names := newBackupNamer(live)
			ages := map[string]time.Duration{"a": 72 * time.Hour, "b": 36 * time.Hour, "c": 2 * time.Hour, "d": time.Hour}
			byName := map[string]string{}
			for tag, age := range ages {
				n := names.name(now.Add(-age))
				byName[filepath.Base(n)] = tag
				byName[filepath.Base(n)+compressSuffix] = tag + ".gz"
				os.WriteFile(n, []byte("backup "+tag+"\n"), 0o600)
			}
			// An interrupted lumberjack mill's leftover: a partial .gz
			// beside its whole original.
			os.WriteFile(names.name(now.Add(-time.Hour))+compressSuffix, []byte("\x1f\x8b partial"), 0o600)
			os.WriteFile(live, []byte("live\n"), 0o600)

			m := startMill(names, tt.p, func() time.Time { return now })
			m.close()

			ents, _ := os.ReadDir(dir)
			var got []string
			for _, e := range ents {
				if e.Name() != "job.out" {
					got = append(got, byName[e.Name()])
				}
			}
			slices.Sort(got)
			want := slices.Clone(tt.want)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("left %q; want %q", got, want)
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
