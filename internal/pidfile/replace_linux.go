package pidfile

import (
	"errors"
	"syscall"

	"golang.org/x/sys/unix"
)

// replace renames tmp to name in the directory dirfd, if name is still
// what Prepare saw: absent (old nil), or the stale pidfile old.
//
// Absent: renameat2(RENAME_NOREPLACE) fails instead of replacing what
// appeared. Stale: RENAME_EXCHANGE swaps the two atomically, and what
// comes back under tmp's name is removed if it is old, or swapped back if
// it is not. Filesystems without these flags get link(2), which does not
// replace either, or a check and a rename, with a moment between them.
func replace(dirfd int, tmp, name string, old *syscall.Stat_t) error {
	if old == nil {
		err := unix.Renameat2(dirfd, tmp, dirfd, name, unix.RENAME_NOREPLACE)
		if errors.Is(err, unix.EINVAL) || errors.Is(err, unix.ENOSYS) {
			return linkNoReplace(dirfd, tmp, name)
		}
		if errors.Is(err, unix.EEXIST) {
			return errAppeared
		}
		return err
	}
	err := unix.Renameat2(dirfd, tmp, dirfd, name, unix.RENAME_EXCHANGE)
	if errors.Is(err, unix.EINVAL) || errors.Is(err, unix.ENOSYS) {
		return checkRename(dirfd, tmp, name, old)
	}
	if errors.Is(err, unix.ENOENT) { // the stale one went meanwhile
		return replace(dirfd, tmp, name, nil)
	}
	if err != nil {
		return err
	}
	var back unix.Stat_t
	if err := unix.Fstatat(dirfd, tmp, &back, unix.AT_SYMLINK_NOFOLLOW); err != nil || !same(&back, old) {
		putBack(dirfd, tmp, name)
		return errAppeared
	}
	return unix.Unlinkat(dirfd, tmp, 0)
}

// putBack returns what the swap brought to tmp, someone else's, to name:
// swapped again if name holds something (ours, or whatever came since),
// else renamed without replacing. Failing both, it stays under tmp, which
// Commit then leaves alone (removeTmp removes only our own file).
func putBack(dirfd int, tmp, name string) {
	if unix.Renameat2(dirfd, tmp, dirfd, name, unix.RENAME_EXCHANGE) != nil {
		_ = unix.Renameat2(dirfd, tmp, dirfd, name, unix.RENAME_NOREPLACE)
	}
}
