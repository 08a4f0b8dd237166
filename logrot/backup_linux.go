package logrot

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/sys/unix"
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

// scan raises last to the newest backup already in the directory, so that
// a relay started after the clock was stepped back still names its backups
// after all the existing ones.
func (b *backupNamer) scan() {
	names, err := readDirNames(b.dirfd)
	if err != nil {
		return // moveAside's EEXIST check still prevents replacing
	}
	for _, n := range names {
		if t, ok := b.parse(n); ok && t.After(b.last) {
			b.last = t
		}
	}
}

// moveAside renames the entry from to a fresh backup name and returns the
// name and its time.
func (b *backupNamer) moveAside(from string, now time.Time) (string, time.Time, error) {
	t := time.UnixMilli(now.UnixMilli())
	if !t.After(b.last) {
		t = b.last.Add(time.Millisecond)
	}
	for range 100000 {
		name := b.name(t)
		var st unix.Stat_t
		if err := unix.Fstatat(b.dirfd, name+compressSuffix, &st, unix.AT_SYMLINK_NOFOLLOW); errors.Is(err, unix.ENOENT) {
			err := renameNoReplace(b.dirfd, from, name)
			if err == nil {
				b.last = t
				return name, t, nil
			}
			if !errors.Is(err, unix.EEXIST) {
				return "", t, fmt.Errorf("rotate: rename to %s: %w", name, err)
			}
		}
		t = t.Add(time.Millisecond)
	}
	return "", t, fmt.Errorf("rotate: no free backup name after %s", b.name(t))
}

// renameNoReplace is renameat(2) within dirfd that fails with EEXIST
// rather than replace newname. Filesystems without RENAME_NOREPLACE get
// link(2) + unlink(2), which is as safe; those without hard links get no
// rotation rather than a rename that could replace a file.
func renameNoReplace(dirfd int, oldname, newname string) error {
	err := unix.Renameat2(dirfd, oldname, dirfd, newname, unix.RENAME_NOREPLACE)
	if !errors.Is(err, unix.EINVAL) && !errors.Is(err, unix.ENOSYS) {
		return err
	}
	if err := unix.Linkat(dirfd, oldname, dirfd, newname, 0); err != nil {
		return err
	}
	return unix.Unlinkat(dirfd, oldname, 0)
}

// readDirNames lists the directory open at dirfd without moving dirfd's
// own offset (a fresh descriptor is opened on it).
func readDirNames(dirfd int) ([]string, error) {
	fd, err := unix.Openat(dirfd, ".", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	defer unix.Close(fd)
	var names []string
	buf := make([]byte, 8192)
	for {
		n, err := unix.ReadDirent(fd, buf)
		if err != nil {
			return names, err
		}
		if n <= 0 {
			return names, nil
		}
		_, _, names = unix.ParseDirent(buf[:n], -1, names)
	}
}
