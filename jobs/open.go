package jobs

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"

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

// openStat opens name for reading with flags added, and fstat(2)s what it
// opened: the checks must be on the file read, not on a name that can
// change in between. O_NONBLOCK: open(2) of a FIFO for reading blocks
// until a writer comes, and with it returns at once (reads of a regular
// file are the same either way). O_NOCTTY: a terminal must not become
// our controlling terminal by being opened.
func openStat(name string, flags int) (*os.File, syscall.Stat_t, error) {
	var st syscall.Stat_t
	f, err := os.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK|syscall.O_NOCTTY|flags, 0)
	if err != nil {
		return nil, st, err
	}
	if err := syscall.Fstat(int(f.Fd()), &st); err != nil {
		f.Close()
		return nil, st, &os.PathError{Op: "fstat", Path: name, Err: err}
	}
	return f, st, nil
}

// isLink says whether open(2) with O_NOFOLLOW failed on a symbolic link:
// ELOOP, as POSIX says, or EMLINK on FreeBSD.
func isLink(err error) bool {
	return errors.Is(err, syscall.ELOOP) || errors.Is(err, syscall.EMLINK)
}

// openMade opens a backup if it is a file the relay made, else returns a
// *Foreign. A symbolic link is not followed: the relay never makes one.
func openMade(name string) (*os.File, error) {
	f, st, err := openStat(name, syscall.O_NOFOLLOW)
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
	var st syscall.Stat_t
	err := syscall.Lstat(name, &st)
	if errors.Is(err, syscall.ENOENT) && !b.Gzip {
		name += ".gz" // compressed meanwhile
		err = syscall.Lstat(name, &st)
	}
	if err != nil {
		return true // gone: opening it says so
	}
	why := foreign(&st)
	if why == "" {
		return true
	}
	o.skip(&Foreign{name, why})
	if !b.Gzip && !strings.HasSuffix(name, ".gz") && syscall.Lstat(name+".gz", &st) == nil && foreign(&st) == "" {
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
func foreign(st *syscall.Stat_t) string {
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
func kind(st *syscall.Stat_t) string {
	switch st.Mode & syscall.S_IFMT {
	case syscall.S_IFREG:
		return ""
	case syscall.S_IFLNK:
		return "it is a symbolic link"
	case syscall.S_IFIFO:
		return "it is a FIFO, not a regular file"
	case syscall.S_IFDIR:
		return "it is a directory, not a regular file"
	case syscall.S_IFCHR, syscall.S_IFBLK:
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
func (j Job) openLiveFile() (*os.File, syscall.Stat_t, error) {
	f, st, err := openStat(j.Output, syscall.O_NOFOLLOW)
	if isLink(err) {
		f, st, err = j.openLink()
	}
	if err != nil {
		return nil, st, err
	}
	why := kind(&st)
	if why == "" && !j.isOutput(&st) {
		if why = foreign(&st); why != "" && j.OutputIno != 0 {
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
func (j Job) openLink() (*os.File, syscall.Stat_t, error) {
	var st syscall.Stat_t
	err := syscall.Stat(j.Output, &st)
	if err == nil && j.isOutput(&st) {
		var f *os.File
		if f, st, err = openStat(j.Output, 0); err != nil || j.isOutput(&st) {
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
func (j Job) isOutput(st *syscall.Stat_t) bool {
	return j.OutputIno != 0 && uint64(st.Ino) == j.OutputIno && uint64(st.Dev) == j.OutputDev
}

func (j Job) refuse(why string) error {
	return fmt.Errorf("not reading %w", &Foreign{j.Output, why})
}
