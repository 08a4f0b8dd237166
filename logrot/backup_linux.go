package logrot

import (
	"errors"
	"fmt"
	"time"

	"golang.org/x/sys/unix"
)

// scan raises last to the newest backup already in the directory, so that
// a relay started after the clock was stepped back still names its backups
// after all the existing ones. Only backups that are ours count: a name
// someone else planted (dated 9999) would otherwise push ours past the
// names that parse, out of retention's sight.
func (b *backupNamer) scan(ours func(*unix.Stat_t) bool) {
	names, err := readDirNames(b.dirfd)
	if err != nil {
		return // moveAside's EEXIST check still prevents replacing
	}
	for _, n := range names {
		var st unix.Stat_t
		if t, ok := b.parse(n); ok && t.After(b.last) &&
			unix.Fstatat(b.dirfd, n, &st, unix.AT_SYMLINK_NOFOLLOW) == nil && ours(&st) {
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
