//go:build !linux

package pidfile

import "syscall"

// replace renames tmp to name in the directory dirfd, if name is still
// what Prepare saw: absent (old nil), or the stale pidfile old. Without
// Linux's renameat2, an absent name gets link(2), which does not replace
// what appeared; a stale one a check and a rename, with a moment between.
func replace(dirfd int, tmp, name string, old *syscall.Stat_t) error {
	if old == nil {
		return linkNoReplace(dirfd, tmp, name)
	}
	return checkRename(dirfd, tmp, name, old)
}
