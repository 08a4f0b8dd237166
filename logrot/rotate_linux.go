package logrot

import (
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// tmpPrefix starts the one kind of name a rotation creates besides
// backups: the new live file is made under such a name, then exchanged
// with the live file. The rest of the name is this process's pid and a
// counter; a name taken by anything else is skipped.
func (s *sink) tmpPrefix() string { return "." + s.base + ".nohupx-new." }

func (s *sink) rotate() error {
	unlock := s.lockDir()
	defer unlock()
	return s.rotateLocked()
}

// rotateLocked moves the live file aside under a fresh backup name and
// puts a new, empty live file in its place, with the old one's mode and
// group, without a moment in which the live name is missing.
func (s *sink) rotateLocked() error {
	var st unix.Stat_t
	err := unix.Fstatat(s.dirfd, s.base, &st, unix.AT_SYMLINK_NOFOLLOW)
	switch {
	case err == nil && s.f >= 0 && (st.Dev != s.dev || st.Ino != s.ino):
		if !s.owned(&st) {
			return fmt.Errorf("%s is no longer the file being written", s.path())
		}
		// Another relay rotated our file already: go on in the new one.
		s.shared = true
		s.closeFile()
		return s.reopenLocked(false)
	case err != nil:
		return fmt.Errorf("rotate %s: %w", s.path(), err)
	case !s.owned(&st):
		return fmt.Errorf("rotate %s: not a regular file of the job's user", s.path())
	}
	if s.shared {
		// Another relay names backups too, perhaps ahead of the clock:
		// name ours after its newest, to keep the order.
		s.names.scan(s.owned)
	}
	nfd, tmp, err := s.newFile(&st)
	if err != nil {
		return fmt.Errorf("rotate %s: %w", s.path(), err)
	}
	if err := unix.Renameat2(s.dirfd, tmp, s.dirfd, s.base, unix.RENAME_EXCHANGE); err != nil {
		// No RENAME_EXCHANGE here (an old kernel, NFS): move the live file
		// aside first, then the new one into place; the name is missing
		// for that moment.
		if _, _, err := s.moveAsideFirst(s.base); err != nil {
			unix.Close(nfd)
			_ = unix.Unlinkat(s.dirfd, tmp, 0)
			return err
		}
		if err := unix.Renameat(s.dirfd, tmp, s.dirfd, s.base); err != nil {
			unix.Close(nfd)
			return fmt.Errorf("rotate %s: %w", s.path(), err)
		}
	} else if _, _, err := s.moveAsideFirst(tmp); err != nil {
		// The old data stays under tmp; a later writer's recovery
		// names it. The new file is live either way.
		s.stuckAt(fmt.Sprintf("rotate %s: %v", s.path(), err))
	}
	s.closeFile()
	var nst unix.Stat_t
	_ = unix.Fstat(nfd, &nst)
	s.f, s.dev, s.ino, s.size = nfd, nst.Dev, nst.Ino, 0
	s.rotations++
	if s.mill != nil {
		s.mill.poke()
	}
	return nil
}

// moveAsideFirst renames tmp to a backup name, and remembers the first
// backup of this job in the journal: retention keeps it.
func (s *sink) moveAsideFirst(tmp string) (string, int64, error) {
	name, t, err := s.names.moveAside(tmp, s.now())
	if err == nil && s.j.get(jFirst) == 0 {
		s.j.put(jFirst, uint64(t.UnixMilli()))
	}
	return name, t.UnixMilli(), err
}

// newFile creates the next live file under a fresh temporary name, empty,
// open for appending, with the mode of like (the file being rotated) and
// its group. O_TMPFILE makes it nameless until it is whole; without it,
// O_EXCL.
func (s *sink) newFile(like *unix.Stat_t) (fd int, tmp string, err error) {
	mode := uint32(like.Mode & 0o7777)
	tmpfd, terr := unix.Openat(s.dirfd, ".", unix.O_TMPFILE|unix.O_WRONLY|unix.O_CLOEXEC, 0o600)
	if terr == nil {
		s.copyOwner(tmpfd, like, mode)
	}
	for range 100 {
		s.tmpSeq++
		tmp = s.tmpPrefix() + strconv.Itoa(os.Getpid()) + "." + strconv.Itoa(s.tmpSeq)
		if terr == nil {
			err = unix.Linkat(unix.AT_FDCWD, "/proc/self/fd/"+strconv.Itoa(tmpfd), s.dirfd, tmp, unix.AT_SYMLINK_FOLLOW)
			fd = tmpfd
		} else {
			fd, err = unix.Openat(s.dirfd, tmp, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o600)
			if err == nil {
				s.copyOwner(fd, like, mode)
			}
		}
		if !errors.Is(err, unix.EEXIST) {
			break
		}
	}
	if err != nil {
		if terr == nil {
			unix.Close(tmpfd)
		}
		return -1, "", fmt.Errorf("create the new file as %s: %w", tmp, err)
	}
	_, _ = unix.FcntlInt(uintptr(fd), unix.F_SETFL, unix.O_WRONLY|unix.O_APPEND)
	return fd, tmp, nil
}

func (s *sink) copyOwner(fd int, like *unix.Stat_t, mode uint32) {
	if int(like.Gid) != os.Getegid() {
		_ = unix.Fchown(fd, -1, int(like.Gid))
	}
	_ = unix.Fchmod(fd, mode) // exactly, whatever the umask

}

// recoverRotation finishes a rotation that a killed writer left half done:
// a file under a temporary name that is ours is either the new file
// (empty: it is removed) or, after the exchange, the old live file (it
// becomes a backup, older than the live file's data, as it should).
// Anything else under such a name is left alone.
func (s *sink) recoverRotation() {
	names, _ := readDirNames(s.dirfd)
	sort.Strings(names)
	for _, tmp := range names {
		if !strings.HasPrefix(tmp, s.tmpPrefix()) {
			continue
		}
		var st unix.Stat_t
		if err := unix.Fstatat(s.dirfd, tmp, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil || !s.owned(&st) {
			continue
		}
		if st.Size == 0 {
			_ = unix.Unlinkat(s.dirfd, tmp, 0)
			continue
		}
		s.names.scan(s.owned)
		if name, _, err := s.moveAsideFirst(tmp); err == nil {
			s.notes = append(s.notes, fmt.Sprintf("a rotation was interrupted (the relay was killed); finished it: %s", name))
		}
	}
}
