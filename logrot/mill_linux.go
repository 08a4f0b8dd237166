package logrot

import (
	"compress/gzip"
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// mill applies Keep, MaxAge and Compress to the backups of one log, in the
// background, so that gzipping a large backup never stalls the relay's
// reading; close waits for it.
//
// It acts only on names of this log's backups (backupNamer) that are
// regular files of the job's user with a single link, opened with
// O_NOFOLLOW: a planted symlink, FIFO or another user's file under such a
// name is never read, written or removed. A .gz is made as a nameless
// O_TMPFILE and linked into place only when whole, never over an existing
// name. Every removal is noted in the live file.
type mill struct {
	s    *sink
	kick chan struct{}
	done chan struct{}
}

func startMill(s *sink) *mill {
	m := &mill{s: s, kick: make(chan struct{}, 1), done: make(chan struct{})}
	go m.run()
	return m
}

// poke asks for a pass; passes asked for while one runs fold into one.
func (m *mill) poke() {
	select {
	case m.kick <- struct{}{}:
	default:
	}
}

// close runs a last pass and waits for it.
func (m *mill) close() {
	m.poke()
	close(m.kick)
	<-m.done
}

// run makes a pass when poked (at each rotation, at start and at the
// end) and, with MaxAge, every so often too: a job that has gone quiet
// rotates no more, and its old backups must still go.
func (m *mill) run() {
	defer close(m.done)
	var tick <-chan time.Time
	if age := m.s.policy.MaxAge; age > 0 {
		t := time.NewTicker(min(max(age/4, time.Second), time.Hour))
		defer t.Stop()
		tick = t.C
	}
	for {
		select {
		case _, ok := <-m.kick:
			if !ok {
				return
			}
		case <-tick:
		}
		m.pass()
	}
}

type backup struct {
	name string // without .gz
	t    time.Time
	gz   bool // only the .gz exists
}

// pass removes what Keep and MaxAge no longer allow and gzips the rest.
// Errors are left for the next pass: nothing here can lose data the
// policy keeps.
//
// Retention is of the file, as logrotate's: Keep and MaxAge count every
// backup of it, an earlier job's too, or jobs that share nohup.out would
// fill the disk between them. But Keep removes nothing before this job's
// first rotation (a job that only appends a line adds no backup, and must
// not remove an earlier job's), and keeps this job's first backup, the
// start of its output. The backups are handled oldest first, so the notes
// read in time order.
func (m *mill) pass() {
	s := m.s
	s.mu.Lock()
	dirfd, err := unix.Dup(s.dirfd)
	names, p, first := s.names, s.policy, int64(s.j.get(jFirst))
	s.mu.Unlock()
	if err != nil {
		return
	}
	defer unix.Close(dirfd)
	list := m.backups(dirfd, names)
	var notes []string
	for i := len(list) - 1; i >= 0; i-- {
		b, ms := list[i], list[i].t.UnixMilli()
		old := p.MaxAge > 0 && s.now().Sub(b.t) > p.MaxAge
		excess := p.Keep > 0 && first != 0 && ms != first && i >= p.Keep
		switch {
		case old || excess:
			if note := m.remove(dirfd, b, m.from(list, i), old); note != "" {
				notes = append(notes, note)
				s.j.put(jRemoved, uint64(ms))
			}
		case p.Compress && !b.gz:
			_ = gzipFile(dirfd, b.name, s.uid)
		}
	}
	if len(notes) > 0 {
		s.mu.Lock()
		s.notes = append(s.notes, notes...)
		s.mu.Unlock()
	}
}

// from is when the output in list[i] began: at the backup before it,
// which is the next in the list or, if retention removed that one already,
// the newest it removed. Zero: the start of the file.
func (m *mill) from(list []*backup, i int) time.Time {
	var t time.Time
	if i+1 < len(list) {
		t = list[i+1].t
	}
	if r := int64(m.s.j.get(jRemoved)); r != 0 && r < list[i].t.UnixMilli() && time.UnixMilli(r).After(t) {
		t = time.UnixMilli(r)
	}
	return t
}

// backups lists this log's backups, newest first: the names of its
// backups that are regular files of the job's user with one link. Any
// other entry under such a name (planted by someone who can write the
// directory, or a hard link) is not ours, counts for nothing and is left
// alone.
func (m *mill) backups(dirfd int, names *backupNamer) []*backup {
	ents, err := readDirNames(dirfd)
	if err != nil {
		return nil
	}
	byName := map[string]*backup{}
	for _, e := range ents {
		t, ok := names.parse(e)
		var st unix.Stat_t
		if !ok || unix.Fstatat(dirfd, e, &st, unix.AT_SYMLINK_NOFOLLOW) != nil || !m.s.owned(&st) {
			continue
		}
		n := strings.TrimSuffix(e, compressSuffix)
		b := byName[n]
		if b == nil {
			b = &backup{name: n, t: t, gz: true}
			byName[n] = b
		}
		if !strings.HasSuffix(e, compressSuffix) {
			b.gz = false
		}
	}
	list := make([]*backup, 0, len(byName))
	for _, b := range byName {
		list = append(list, b)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].t.After(list[j].t) })
	return list
}

// remove unlinks backup b (and its .gz) if they are ours, and returns the
// note for the live file: what was removed, its size and the time its
// data spans, and why.
func (m *mill) remove(dirfd int, b *backup, from time.Time, old bool) string {
	p := m.s.policy
	var removed []string
	var size int64
	for _, n := range []string{b.name, b.name + compressSuffix} {
		var st unix.Stat_t
		if err := unix.Fstatat(dirfd, n, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil || !m.s.owned(&st) {
			continue
		}
		if unix.Unlinkat(dirfd, n, 0) == nil {
			removed = append(removed, n)
			size += st.Size
		}
	}
	if len(removed) == 0 {
		return ""
	}
	start := "its start"
	if !from.IsZero() {
		start = stamp(from)
	}
	why := fmt.Sprintf("--keep %d keeps this job's first and the %d newest", p.Keep, p.Keep)
	if old {
		why = "older than --max-age " + FormatAge(p.MaxAge)
	}
	return fmt.Sprintf("removed %s (%s bytes, output from %s to %s): %s",
		strings.Join(removed, " and "), strconv.FormatInt(size, 10), start, stamp(b.t), why)
}

// gzipFile replaces the backup name by name.gz, keeping its mode. It reads
// name only if it is a regular file of uid with one link, and never
// replaces an existing name.
func gzipFile(dirfd int, name string, uid int) error {
	// A .gz name that someone else took would make every pass compress the
	// whole backup only to find it taken: look first. A file of uid with
	// more than one link is not ours either: where hard links to others'
	// files are allowed (fs.protected_hardlinks=0), anyone who can add a
	// name to the directory (sticky /tmp) can link a file of root's there,
	// and taking it for a .gz left by a killed writer removes the backup.
	var gz unix.Stat_t
	if err := unix.Fstatat(dirfd, name+compressSuffix, &gz, unix.AT_SYMLINK_NOFOLLOW); err == nil && !ownGz(&gz, uid) {
		return fmt.Errorf("%s%s: not ours; %s stays uncompressed", name, compressSuffix, name)
	}
	in, err := unix.Openat(dirfd, name, unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_NONBLOCK|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	src := os.NewFile(uintptr(in), name)
	defer src.Close()
	var st unix.Stat_t
	if err := unix.Fstat(in, &st); err != nil {
		return err
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG || int(st.Uid) != uid || st.Nlink != 1 {
		return fmt.Errorf("%s: not a backup of ours", name)
	}
	out, err := unix.Openat(dirfd, ".", unix.O_TMPFILE|unix.O_WRONLY|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return err // no O_TMPFILE here: leave it uncompressed
	}
	dst := os.NewFile(uintptr(out), name+compressSuffix)
	defer dst.Close()
	_ = unix.Fchmod(out, uint32(st.Mode&0o777))
	zw := gzip.NewWriter(dst)
	_, err = src.WriteTo(zw)
	err = errors.Join(err, zw.Close())
	if err == nil {
		err = dst.Sync()
	}
	if err == nil {
		err = unix.Linkat(unix.AT_FDCWD, "/proc/self/fd/"+strconv.Itoa(out), dirfd, name+compressSuffix, unix.AT_SYMLINK_FOLLOW)
	}
	if errors.Is(err, unix.EEXIST) {
		// A writer killed between the link and the unlink below left a
		// whole .gz (it is linked only when whole): if it is ours, the
		// original can go.
		if unix.Fstatat(dirfd, name+compressSuffix, &gz, unix.AT_SYMLINK_NOFOLLOW) != nil ||
			!ownGz(&gz, uid) || gz.Size == 0 {
			return err
		}
		err = nil
	}
	if err != nil {
		return err
	}
	// Remove the original only if the name still holds what was read.
	var now unix.Stat_t
	if unix.Fstatat(dirfd, name, &now, unix.AT_SYMLINK_NOFOLLOW) == nil && now.Dev == st.Dev && now.Ino == st.Ino {
		return unix.Unlinkat(dirfd, name, 0)
	}
	return nil
}

// ownGz says whether st, at a .gz name, may be one a relay of uid made: a
// regular file of uid with one link.
func ownGz(st *unix.Stat_t, uid int) bool {
	return st.Mode&unix.S_IFMT == unix.S_IFREG && int(st.Uid) == uid && st.Nlink == 1
}
