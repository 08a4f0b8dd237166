package logrot

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Backup names: NAME-TIMESTAMP.EXT beside the live file NAME.EXT, where
// TIMESTAMP is the time of the rotation in UTC, marked with Z whatever TZ
// says (nohup-2026-11-21T11-23-32.418Z.out), so that names sort in time
// order on every machine. Gzipped backups add .gz.
const (
	backupTimeFormat = "2006-01-02T15-04-05.000Z"
	compressSuffix   = ".gz"
)

// backupNamer picks backup names that never replace a file.
//   - The name's time is max(now, previous backup + 1 ms), so this relay's
//     backup names strictly increase and name order is the order the data
//     was written in, whatever the clock does.
//   - The rename is renameat2(RENAME_NOREPLACE): it fails with EEXIST
//     instead of replacing a file (a backup of another relay on the same
//     log, of an earlier run, or anything planted), and the next
//     millisecond is tried. A name whose .gz exists is skipped too.
type backupNamer struct {
	dirfd       int
	prefix, ext string
	last        time.Time // the newest backup time used or seen
}

func newBackupNamer(dirfd int, base string) *backupNamer {
	ext := filepath.Ext(base)
	return &backupNamer{dirfd: dirfd, prefix: base[:len(base)-len(ext)] + "-", ext: ext}
}

func (b *backupNamer) name(t time.Time) string {
	return b.prefix + t.UTC().Format(backupTimeFormat) + b.ext
}

// parse is the time in a backup name of ours, gzipped or not.
func (b *backupNamer) parse(name string) (time.Time, bool) {
	ts, ok := strings.CutPrefix(name, b.prefix)
	if !ok {
		return time.Time{}, false
	}
	ts = strings.TrimSuffix(ts, compressSuffix)
	ts, ok = strings.CutSuffix(ts, b.ext)
	if !ok {
		return time.Time{}, false
	}
	t, err := time.Parse(backupTimeFormat, ts)
	// time.Parse is lenient ("T0-00" for "T00-00", "," for "."): a name
	// is one of ours only if it is exactly the name its time gives.
	if err != nil || t.Format(backupTimeFormat) != ts {
		return time.Time{}, false
	}
	return t, true
}

// Backup is one backup of a log file.
type Backup struct {
	Name string    // the path of the backup
	Time time.Time // when it was rotated out: the time in its name
	Gzip bool      // compressed (name ends in .gz)
}

// Backups lists the backups of the log file path that the relay named,
// oldest first: the order their data was written in. It does not open
// them. While the relay compresses a backup, both the plain file and the
// .gz (linked into place only once whole) can exist: the plain one is
// listed then, and a reader that finds it gone should open Name+".gz".
func Backups(path string) ([]Backup, error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(ents))
	for i, e := range ents {
		names[i] = e.Name()
	}
	return BackupsAmong(dir, base, names), nil
}

// BackupsAmong is Backups for a reader that lists the directory dir
// itself, names being its entries (read from a descriptor it has
// checked, say, rather than by a path that may change meanwhile).
func BackupsAmong(dir, base string, names []string) []Backup {
	namer := newBackupNamer(-1, base)
	var out []Backup
	for _, n := range names {
		if t, ok := namer.parse(n); ok {
			out = append(out, Backup{Name: filepath.Join(dir, n), Time: t, Gzip: strings.HasSuffix(n, compressSuffix)})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].Time.Equal(out[j].Time) {
			return out[i].Time.Before(out[j].Time)
		}
		return !out[i].Gzip && out[j].Gzip
	})
	uniq := out[:0]
	for _, b := range out {
		if n := len(uniq); n > 0 && uniq[n-1].Time.Equal(b.Time) {
			continue // the .gz of a plain backup still there
		}
		uniq = append(uniq, b)
	}
	return uniq
}
