// Package safedir opens a directory, making the missing ones on the way,
// by a walk no other user can steer: from / one name at a time, following
// no symbolic link, and only through directories where no one but their
// owner (the user the walk is for, or root) can rename or remove an
// entry. A walk by path (MkdirAll, then open) follows a link planted
// where a removed directory was, or enters a directory someone else made
// under its name, and root, or a relay writing a user's log, would then
// write where that someone chose.
package safedir

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/nohupx/nohupx/internal/quote"
)

// OthersCanRename says why users other than uid (and root) could rename
// or remove entries of the directory st, or "": the owner of a directory
// can, and so can anyone who may write it unless it is sticky (S_ISVTX:
// then only an entry's owner can). A group that may write it counts
// unless it is root's, as with logrotate: that a group has no other
// member cannot be told from its id (a private group gets members too),
// and /etc/group is not the only source of them.
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

// Mode is how a missing directory is made: Perm, set-id and sticky bits
// included, and, if UID >= 0, its owner and group (root making one for a
// user); with UID < 0 it keeps the maker's.
//
// Root makes a directory for a user only where that user could make it
// (see mayMake), unless SetID says that a set-id program makes it there
// for them (screen's S-USER in a /run/screen only root may write).
type Mode struct {
	UID, GID int
	Perm     uint32
	SetID    bool
}

// Made is a directory that Open created, and its permissions.
type Made struct {
	Path string
	Perm uint32
}

// UnsafeError is a directory on the way that the walk refuses.
type UnsafeError struct{ Path, Why string }

func (e *UnsafeError) Error() string { return quote.Shell(e.Path) + " " + e.Why }

// Open opens the absolute directory dir for uid: every directory on the
// way must pass OthersCanRename for uid, except those Open made, and a
// missing one is made as mode says for its path (with mode nil, none is:
// a missing directory is ENOENT). It returns the open directory and what
// it made, in order; on error, what it made before.
func Open(dir string, uid int, mode func(path string) Mode) (fd int, made []Made, err error) {
	names := strings.Split(dir, "/")
	if !strings.HasPrefix(dir, "/") || slices.Contains(names, "..") {
		// ".." would lead out of a directory that passed to one not checked.
		return -1, nil, fmt.Errorf("%s is not an absolute path without \"..\"", quote.Shell(dir))
	}
	fd, err = unix.Open("/", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, nil, err
	}
	at := ""
	for _, name := range names {
		if name == "" || name == "." {
			continue
		}
		at += "/" + name
		next, m, err := step(fd, at, name, uid, mode)
		unix.Close(fd)
		if err != nil {
			return -1, made, err
		}
		if m != nil {
			made = append(made, *m)
		}
		fd = next
	}
	return fd, made, nil
}

const dirFlags = unix.O_RDONLY | unix.O_DIRECTORY | unix.O_NOFOLLOW | unix.O_CLOEXEC

// step opens name, at path at, in the directory parent, making it if it
// is missing, and checks it.
func step(parent int, at, name string, uid int, mode func(string) Mode) (fd int, made *Made, err error) {
	fd, err = unix.Openat(parent, name, dirFlags, 0)
	if errors.Is(err, unix.ENOENT) && mode != nil {
		if why := mayMake(parent, mode(at)); why != "" {
			return -1, nil, &UnsafeError{at, why}
		}
		if err = unix.Mkdirat(parent, name, 0o700); err == nil {
			made = &Made{at, mode(at).Perm}
		} else if !errors.Is(err, unix.EEXIST) { // EEXIST: someone made it first
			return -1, nil, fmt.Errorf("cannot create %s: %w", quote.Shell(at), err)
		}
		fd, err = unix.Openat(parent, name, dirFlags, 0)
	}
	switch {
	case errors.Is(err, unix.ELOOP), errors.Is(err, unix.ENOTDIR):
		return -1, nil, &UnsafeError{at, "is not a directory (a symbolic link is not followed)"}
	case err != nil:
		return -1, nil, fmt.Errorf("%s: %w", quote.Shell(at), err)
	}
	var st unix.Stat_t
	if err = unix.Fstat(fd, &st); err == nil {
		if made != nil {
			err = fresh(fd, at, &st)
			if err == nil {
				err = adjust(fd, &st, mode(at))
			}
		} else if why := OthersCanRename(&st, uid); why != "" {
			err = &UnsafeError{at, why}
		}
	}
	if err != nil {
		unix.Close(fd)
		return -1, nil, err
	}
	return fd, made, nil
}

// mayMake says why root may not make a directory for m.UID in parent, or
// "". Only where that user may write parent themselves: in a directory of
// theirs, or one everyone may write (the walk has checked it is sticky).
// Root's mkdir succeeds anywhere, and the user would get a directory of
// their own inside one of root's, such as a drop-in directory under
// /etc/systemd/system whose files root then reads. The path comes from
// the user (a socket bound in a mount namespace of theirs, or a SCREENDIR
// in their environment), so it can name any place. A maker acting for
// itself (UID < 0) is held to this by the kernel already.
func mayMake(parent int, m Mode) string {
	if m.UID <= 0 || m.SetID {
		return ""
	}
	var st unix.Stat_t
	if err := unix.Fstat(parent, &st); err != nil {
		return "cannot be made: its parent cannot be examined: " + err.Error()
	}
	mode := uint32(st.Mode)
	if mode&unix.S_IWOTH != 0 || (int(st.Uid) == m.UID && mode&unix.S_IWUSR != 0) {
		return ""
	}
	return fmt.Sprintf("is missing, and is not made for uid %d: they may not create it (its parent is not writable by them)", m.UID)
}

// fresh checks that the directory opened after the mkdir is the one made:
// the maker's and empty. Walking for another user (root for uid), the
// parent may be uid's, and uid could rename another directory to the name
// between the mkdir and the open, to have adjust give it to them.
func fresh(fd int, at string, st *unix.Stat_t) error {
	if int(st.Uid) == unix.Geteuid() {
		dup, err := unix.Dup(fd)
		if err != nil {
			return err
		}
		d := os.NewFile(uintptr(dup), at)
		_, err = d.Readdirnames(1)
		d.Close()
		if errors.Is(err, io.EOF) {
			return nil
		}
	}
	return &UnsafeError{at, "was replaced by another directory while it was being made"}
}

// adjust gives a directory Open made, still empty, its owner and mode:
// the umask may have cleared bits, and root makes it for a user. The
// owner first, as chown may clear set-id bits that chmod then sets. Only
// uid and root could have put another directory in its place: its parent
// passed OthersCanRename, or Open made it.
func adjust(fd int, st *unix.Stat_t, m Mode) error {
	if m.UID >= 0 && (int(st.Uid) != m.UID || int(st.Gid) != m.GID) {
		if err := unix.Fchown(fd, m.UID, m.GID); err != nil {
			return err
		}
	}
	if uint32(st.Mode)&0o7777 != m.Perm {
		return unix.Fchmod(fd, m.Perm)
	}
	return nil
}

// maxLinks is the kernel's own limit on the symbolic links in one lookup
// (MAXSYMLINKS).
const maxLinks = 40

// Resolve is dir with its symbolic links resolved, if every directory on
// the way passes OthersCanRename for uid (as Open checks them, making
// none) and every link belongs to uid or root: a link in such a directory
// could only have been put there by them, even in a sticky one, where
// others may add names but not replace this one. A user's working
// directory reached through a link of their own ($PWD) then still counts,
// while a link that another user put in place of a directory does not.
// The path returned has no link, so a later walk by name (a chdir) meets
// only what was checked, and what only uid or root can change.
//
// It goes one name at a time, as the kernel's lookup does: ".." is the
// parent of where the names before it led, a link's target included, not
// of the link (filepath.Clean on /a/link/../b would name /a/b, and the
// job's directory is under the link's target).
func Resolve(dir string, uid int) (string, error) {
	if !strings.HasPrefix(dir, "/") {
		return "", fmt.Errorf("%s is not an absolute path", quote.Shell(dir))
	}
	done, todo := "/", strings.Split(dir, "/")
	for links := 0; len(todo) > 0; {
		name := todo[0]
		todo = todo[1:]
		switch name {
		case "", ".":
			continue
		case "..": // done has no link: its parent by name is its parent
			done = filepath.Dir(done)
			continue
		}
		at := filepath.Join(done, name)
		fd, _, err := Open(at, uid, nil)
		if err == nil {
			unix.Close(fd)
			done = at
			continue
		}
		var ue *UnsafeError
		if !errors.As(err, &ue) || ue.Path != at || links == maxLinks {
			return "", err
		}
		target, ok := trustedLink(at, uid)
		if !ok {
			return "", err
		}
		links++
		if strings.HasPrefix(target, "/") {
			done = "/"
		}
		todo = append(strings.Split(target, "/"), todo...)
	}
	return done, nil
}

// trustedLink is what the symbolic link at path, in a directory Open has
// passed, points to, if it belongs to uid or root.
func trustedLink(path string, uid int) (string, bool) {
	var st unix.Stat_t
	if unix.Lstat(path, &st) != nil || uint32(st.Mode)&unix.S_IFMT != unix.S_IFLNK ||
		(int(st.Uid) != uid && st.Uid != 0) {
		return "", false
	}
	buf := make([]byte, unix.PathMax)
	n, err := unix.Readlink(path, buf)
	if err != nil || n == 0 || n == len(buf) {
		return "", false
	}
	return string(buf[:n]), true
}
