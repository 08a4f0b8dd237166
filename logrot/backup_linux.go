package logrot

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// lumberjack's backup names, which its mill parses to apply Keep, MaxAge
// and Compress: name-TIMESTAMP.ext beside the live file, in UTC.
const (
	backupTimeFormat = "2006-01-02T15-04-05.000"
	compressSuffix   = ".gz"
)

// backupNamer picks backup names that never overwrite a file.
//
// lumberjack names a backup after the wall clock in milliseconds and
// rename(2)s over whatever has that name, so two rotations in one
// millisecond destroy a backup, and so does a clock stepped backwards into
// the times of existing backups. The relay therefore moves the live file
// aside itself:
//   - the name's time is max(now, previous backup + 1 ms), so the names of
//     this relay's backups strictly increase, and the mill's newest-first
//     order is the order the data was written in, whatever the clock does;
//   - the rename is renameat2(RENAME_NOREPLACE): it fails with EEXIST
//     instead of replacing a file (a backup of another relay on the same
//     log, or of an earlier run), and the next millisecond is tried;
//   - a name whose ".gz" exists is skipped too, since the mill would gzip
//     onto that file with O_TRUNC.
type backupNamer struct {
	dir, prefix, ext string
	last             time.Time // the newest backup time used or seen
}

func newBackupNamer(path string) *backupNamer {
	base := filepath.Base(path)
	ext := filepath.Ext(base)
	return &backupNamer{dir: filepath.Dir(path), prefix: base[:len(base)-len(ext)] + "-", ext: ext}
}

func (b *backupNamer) name(t time.Time) string {
	return filepath.Join(b.dir, b.prefix+t.UTC().Format(backupTimeFormat)+b.ext)
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
	return t, err == nil
}

// scan raises last to the newest backup already in the directory, so that
// a relay started after the clock was stepped back still names its backups
// after all the existing ones.
func (b *backupNamer) scan() {
	ents, err := os.ReadDir(b.dir)
	if err != nil {
		return // moveAside's EEXIST check still prevents overwriting
	}
	for _, e := range ents {
		if t, ok := b.parse(e.Name()); ok && t.After(b.last) {
			b.last = t
		}
	}
}

// moveAside renames path to a fresh backup name and returns that name.
func (b *backupNamer) moveAside(path string, now time.Time) (string, error) {
	t := time.UnixMilli(now.UnixMilli())
	if !t.After(b.last) {
		t = b.last.Add(time.Millisecond)
	}
	for range 100000 {
		name := b.name(t)
		if _, err := os.Lstat(name + compressSuffix); errors.Is(err, os.ErrNotExist) {
			err := renameNoReplace(path, name)
			if err == nil {
				b.last = t
				return name, nil
			}
			if !errors.Is(err, unix.EEXIST) {
				return "", fmt.Errorf("rotate %s: %w", path, err)
			}
		}
		t = t.Add(time.Millisecond)
	}
	return "", fmt.Errorf("rotate %s: no free backup name after %s", path, b.name(t))
}

// renameNoReplace is rename(2) that fails with EEXIST rather than replace
// newpath. Filesystems without RENAME_NOREPLACE get link(2) + unlink(2),
// which is as safe; those without hard links get a check before rename(2),
// which leaves a window only against another process.
func renameNoReplace(oldpath, newpath string) error {
	err := unix.Renameat2(unix.AT_FDCWD, oldpath, unix.AT_FDCWD, newpath, unix.RENAME_NOREPLACE)
	if !errors.Is(err, unix.EINVAL) && !errors.Is(err, unix.ENOSYS) {
		return err
	}
	switch err := unix.Link(oldpath, newpath); {
	case err == nil:
		return unix.Unlink(oldpath)
	case errors.Is(err, unix.EEXIST):
		return err
	}
	if _, err := os.Lstat(newpath); err == nil {
		return unix.EEXIST
	}
	return unix.Rename(oldpath, newpath)
}
