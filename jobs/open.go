package jobs

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/nohupx/nohupx/internal/quote"
	"github.com/nohupx/nohupx/logrot"
)

// Foreign is a file --log does not read: one at a backup's name, or at
// the live name, that the relay did not make and that is not the file the
// job started with. Anyone who can write to the directory can put a name
// there (a FIFO to hang us, a symbolic link to a secret of ours).
type Foreign struct {
	Name string
	Why  string
}

func (e *Foreign) Error() string { return quote.Shell(e.Name) + ": " + e.Why }

// dir is the directory of a job's output, open: --log opens every file
// relative to it, so that no directory on the way can be swapped, after
// the check, for a link to somewhere else. known says that the relay's
// files may be read there: the record says that this is the job's
// directory, or is too old to say anything of the kind.
type dir struct {
	f     *os.File
	known bool
}

// openDir opens the directory the job's output went to. A record that says
// which directory that was (OutputDirIno) is held to it: another user who
// can rename a directory on the path could have put a link to one of ours
// there, full of files of ours with the relay's names.
func (j Job) openDir() (dir, error) {
	name := filepath.Dir(j.Output)
	f, err := os.OpenFile(name, os.O_RDONLY|unix.O_DIRECTORY, 0) // a FIFO there: ENOTDIR, not a wait for a writer
	if err != nil {
		return dir{}, err
	}
	var st unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &st); err != nil || st.Mode&unix.S_IFMT != unix.S_IFDIR {
		f.Close()
		return dir{}, &os.PathError{Op: "open", Path: name, Err: syscall.ENOTDIR}
	}
	if j.OutputDirIno != 0 && (uint64(st.Ino) != j.OutputDirIno || uint64(st.Dev) != j.OutputDirDev) {
		f.Close()
		return dir{}, fmt.Errorf("not reading %w", &Foreign{name, "it is no longer the directory the job's output went to"})
	}
	return dir{f, j.OutputDirIno != 0 || j.OutputIno == 0}, nil
}

// unknown is why nothing but the job's own file is read in d, or "".
func (d dir) unknown() string {
	if d.known {
		return ""
	}
	return "its directory is not known to be the job's (the output was named through a link)"
}

func (d dir) Close() error { return d.f.Close() }

// openStat opens the file name (in d) for reading with flags added, and
// fstat(2)s what it opened: the checks must be on the file read, not on a
// name that can change in between. O_NONBLOCK: open(2) of a FIFO for
// reading blocks until a writer comes, and with it returns at once (reads
// of a regular file are the same either way). O_NOCTTY: a terminal must
// not become our controlling terminal by being opened.
func (d dir) openStat(name string, flags int) (*os.File, unix.Stat_t, error) {
	var st unix.Stat_t
	fd, err := unix.Openat(int(d.f.Fd()), filepath.Base(name), unix.O_RDONLY|unix.O_NONBLOCK|unix.O_NOCTTY|unix.O_CLOEXEC|flags, 0)
	if err != nil {
		return nil, st, &os.PathError{Op: "open", Path: name, Err: err}
	}
	f := os.NewFile(uintptr(fd), name)
	if err := unix.Fstat(fd, &st); err != nil {
		f.Close()
		return nil, st, &os.PathError{Op: "fstat", Path: name, Err: err}
	}
	return f, st, nil
}

// backups lists the backups of the log file name, from d itself: by
// path, the list could come from another directory than the one the
// files are then opened in, and a planted name there, dated ahead, would
// move --follow's place in time past the real backups.
func (d dir) backups(name string) ([]logrot.Backup, error) {
	fd, err := unix.Openat(int(d.f.Fd()), ".", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: filepath.Dir(name), Err: err}
	}
	f := os.NewFile(uintptr(fd), filepath.Dir(name)) // a new descriptor: d's offset stays
	defer f.Close()
	names, err := f.Readdirnames(-1)
	if err != nil {
		return nil, err
	}
	return logrot.BackupsAmong(filepath.Dir(name), filepath.Base(name), names), nil
}

// lstat is lstat(2) of the file name in d; stat follows a link.
func (d dir) lstat(name string, st *unix.Stat_t) error {
	return unix.Fstatat(int(d.f.Fd()), filepath.Base(name), st, unix.AT_SYMLINK_NOFOLLOW)
}

func (d dir) stat(name string, st *unix.Stat_t) error {
	return unix.Fstatat(int(d.f.Fd()), filepath.Base(name), st, 0)
}

// isLink says whether open(2) with O_NOFOLLOW failed on a symbolic link:
// ELOOP, as POSIX says, or EMLINK on FreeBSD.
func isLink(err error) bool {
	return errors.Is(err, unix.ELOOP) || errors.Is(err, unix.EMLINK)
}

// openMade opens a backup if it is a file the relay made, else returns a
// *Foreign. A symbolic link is not followed: the relay never makes one.
func (d dir) openMade(name string) (*os.File, error) {
	if why := d.unknown(); why != "" {
		return nil, &Foreign{name, why}
	}
	f, st, err := d.openStat(name, unix.O_NOFOLLOW)
	if isLink(err) {
		return nil, &Foreign{name, "it is a symbolic link"}
	}
	if err != nil {
		return nil, err
	}
	if why := foreign(&st); why != "" {
		f.Close()
		return nil, &Foreign{name, why}
	}
	return f, nil
}

// made says whether the backup b may be a file the relay made, as
// lstat(2) sees it, and tells of it once if not. Only openMade's check,
// on the file opened, is proof; this one keeps a planted name out of the
// list before it takes a place in time (Output.last) from the relay's.
// When the plain name is not the relay's but its .gz is (someone put a
// file at the name the relay compressed away), b becomes the .gz.
func (o *Output) made(b *logrot.Backup) bool {
	name := b.Name
	var st unix.Stat_t
	err := o.dir.lstat(name, &st)
	if errors.Is(err, unix.ENOENT) && !b.Gzip {
		name += ".gz" // compressed meanwhile
		err = o.dir.lstat(name, &st)
	}
	if err != nil {
		return true // gone: opening it says so
	}
	why := o.dir.unknown()
	if why == "" {
		why = foreign(&st)
	}
	if why == "" {
		return true
	}
	o.skip(&Foreign{name, why})
	if !b.Gzip && !strings.HasSuffix(name, ".gz") && o.dir.lstat(name+".gz", &st) == nil && foreign(&st) == "" {
		b.Name, b.Gzip = name+".gz", true
		return true
	}
	return false
}

// foreign says why st is not a file the relay made, or "". The relay
// renames only a regular live file of its euid with one link, and creates
// every other file it makes itself, so all of them are such files; the
// records are per user, so its euid is ours. A second link is a name that
// someone else gave the file.
func foreign(st *unix.Stat_t) string {
	if k := kind(st); k != "" {
		return k
	}
	switch {
	case int(st.Uid) != os.Geteuid():
		return fmt.Sprintf("not made by the relay (owned by uid %d)", st.Uid)
	case st.Nlink != 1:
		return fmt.Sprintf("not made by the relay (%d hard links)", st.Nlink)
	}
	return ""
}

// kind says what st is when it is not a regular file, or "".
func kind(st *unix.Stat_t) string {
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFREG:
		return ""
	case unix.S_IFLNK:
		return "it is a symbolic link"
	case unix.S_IFIFO:
		return "it is a FIFO, not a regular file"
	case unix.S_IFDIR:
		return "it is a directory, not a regular file"
	case unix.S_IFCHR, unix.S_IFBLK:
		return "it is a device, not a regular file"
	}
	return "it is not a regular file"
}

// openLiveFile opens the live name without waiting on a FIFO. What is
// there is read if it is the file the job started with, whoever owns it
// (the user named it); a symbolic link there is followed only to that
// file. Anything else came by a rotation since, and must be a file the
// relay made. A record from before that file was recorded (OutputIno 0)
// leaves only this last rule.
func (j Job) openLiveFile(d dir) (*os.File, unix.Stat_t, error) {
	f, st, err := d.openStat(j.Output, unix.O_NOFOLLOW)
	if isLink(err) {
		f, st, err = j.openLink(d)
	}
	if err != nil {
		return nil, st, err
	}
	why := kind(&st)
	if why == "" && !j.isOutput(&st) {
		if why = d.unknown(); why == "" {
			why = foreign(&st)
		}
		if why != "" && j.OutputIno != 0 {
			why = "not the file the job started with, and " + why
		}
	}
	if why != "" {
		f.Close()
		return nil, st, j.refuse(why)
	}
	return f, st, nil
}

// openLink opens what the symbolic link at the live name leads to, if
// that is the file the job started with. It looks with stat(2) first, so
// that a link to anything else (a device, whose open can act) is refused
// unopened; the check on what was opened holds if the link changed since.
func (j Job) openLink(d dir) (*os.File, unix.Stat_t, error) {
	var st unix.Stat_t
	err := d.stat(j.Output, &st)
	if err == nil && j.isOutput(&st) {
		var f *os.File
		if f, st, err = d.openStat(j.Output, 0); err != nil || j.isOutput(&st) {
			return f, st, err
		}
		f.Close()
	}
	switch {
	case err != nil:
		return nil, st, &os.PathError{Op: "stat", Path: j.Output, Err: err}
	case j.OutputIno == 0:
		return nil, st, j.refuse("it is a symbolic link, and the job's record is too old to say where it should lead")
	}
	return nil, st, j.refuse("it is a symbolic link to another file than the one the job started with")
}

// isOutput says whether st is the file the job started with.
func (j Job) isOutput(st *unix.Stat_t) bool {
	return j.OutputIno != 0 && uint64(st.Ino) == j.OutputIno && uint64(st.Dev) == j.OutputDev
}

func (j Job) refuse(why string) error {
	return fmt.Errorf("not reading %w", &Foreign{j.Output, why})
}
