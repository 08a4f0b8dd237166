package logrot

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// OthersCanRename says why users other than uid (and root) could rename
// or remove entries of the directory st, or "": the owner of a directory
// can, and so can anyone who may write it unless it is sticky (S_ISVTX:
// then only an entry's owner can). A group that may write it counts
// unless it is root's, as with logrotate: that a group has no other
// member cannot be told from its id (a private group gets members too),
// and /etc/group is not the only source of them.
//
// The relay rotates and remakes directories only where this is "", and
// --on-exit runs in the job's directory only then.
func OthersCanRename(st *unix.Stat_t, uid int) string {
	mode := uint32(st.Mode)
	switch {
	case int(st.Uid) != uid && st.Uid != 0:
		return fmt.Sprintf("belongs to uid %d", st.Uid)
	case mode&unix.S_ISVTX != 0:
		return ""
	case mode&unix.S_IWOTH != 0:
		return "is writable by everyone and not sticky"
	case mode&unix.S_IWGRP != 0 && st.Gid != 0:
		return fmt.Sprintf("is writable by group %d and not sticky", st.Gid)
	}
	return ""
}
