package reattach

import (
	"fmt"
	"path/filepath"
	"sync"

	"github.com/fsnotify/fsnotify"
	"golang.org/x/sys/unix"
)

// dirSet is the directories --watch watches and, for socket directories,
// locks. Each is remembered with its inode: a directory deleted and made
// again is a new directory that needs a new watch and a new lock.
type dirSet struct {
	fw      *fsnotify.Watcher
	who     attributor
	protect bool
	logf    func(string, ...any)

	mu      sync.Mutex
	watched map[string]FileID
	locks   map[string]lockedDir
	servers map[string]map[string]bool // socket dir -> keys of its servers
	bases   []baseDir
	shared  map[string]bool // shared directories we said we would not lock
}

type lockedDir struct {
	id FileID
	fd int
}

func newDirSet(fw *fsnotify.Watcher, who attributor, protect bool, logf func(string, ...any)) *dirSet {
	return &dirSet{fw: fw, who: who, protect: protect, logf: logf,
		watched: map[string]FileID{}, locks: map[string]lockedDir{},
		servers: map[string]map[string]bool{}, shared: map[string]bool{}}
}

func dirID(dir string) (FileID, bool) {
	var st unix.Stat_t
	if unix.Lstat(dir, &st) != nil || st.Mode&unix.S_IFMT != unix.S_IFDIR {
		return FileID{}, false
	}
	return FileID{Dev: uint64(st.Dev), Ino: uint64(st.Ino)}, true
}

// watch adds an fsnotify watch on dir unless this very directory is
// watched already.
func (d *dirSet) watch(dir string) {
	id, ok := dirID(dir)
	if !ok || d.watched[dir] == id {
		return
	}
	if err := d.fw.Add(dir); err != nil {
		d.logf("cannot watch %s: %v", dir, err)
		return
	}
	d.watched[dir] = id
	d.who.Watch(dir)
}

// lock holds flock(LOCK_SH) on a socket directory: systemd-tmpfiles skips
// a directory it cannot lock exclusively, so its contents are not aged.
// A shared directory such as /tmp (sticky and world-writable) is not
// locked: that would stop all cleaning of it.
func (d *dirSet) lock(dir string) {
	if !d.protect {
		return
	}
	id, ok := dirID(dir)
	if !ok || d.locks[dir].id == id {
		return
	}
	var st unix.Stat_t
	if unix.Lstat(dir, &st) == nil && st.Mode&0o002 != 0 {
		if !d.shared[dir] {
			d.shared[dir] = true
			d.logf("not locking %s: it is shared, and locking it would stop all cleaning of it", dir)
		}
		return
	}
	d.unlock(dir)
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		d.logf("cannot lock %s: %v", dir, err)
		return
	}
	if err := unix.Flock(fd, unix.LOCK_SH|unix.LOCK_NB); err != nil {
		unix.Close(fd)
		d.logf("cannot lock %s: %v", dir, err)
		return
	}
	d.locks[dir] = lockedDir{id: id, fd: fd}
}

func (d *dirSet) unlock(dir string) {
	if l, ok := d.locks[dir]; ok {
		unix.Close(l.fd)
		delete(d.locks, dir)
	}
}

// AddServer watches s's socket directory and its parent (whose events
// report the directory's own deletion) and locks the socket directory.
func (d *dirSet) AddServer(s Server) {
	d.mu.Lock()
	defer d.mu.Unlock()
	dir := s.Dir()
	if d.servers[dir] == nil {
		d.servers[dir] = map[string]bool{}
	}
	d.servers[dir][serverKey(s)] = true
	d.watch(filepath.Dir(dir))
	d.watch(dir)
	d.lock(dir)
}

// DropServer forgets a server that exited; its directory is unlocked when
// no other server uses it.
func (d *dirSet) DropServer(s Server) {
	d.mu.Lock()
	defer d.mu.Unlock()
	dir := s.Dir()
	delete(d.servers[dir], serverKey(s))
	if len(d.servers[dir]) == 0 {
		delete(d.servers, dir)
		d.unlock(dir)
	}
}

// Add is told about a directory the recovery just made, before the
// server is signalled: it is watched and, if it holds sockets, locked at
// once.
func (d *dirSet) Add(dir string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.watch(dir)
	if d.servers[dir] != nil {
		d.lock(dir)
	}
}

// Gone forgets what was at path, which was deleted or renamed, and
// everything below it that no longer exists.
func (d *dirSet) Gone(path string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for dir, id := range d.watched {
		if now, ok := dirID(dir); within(dir, path) && (!ok || now != id) {
			delete(d.watched, dir)
		}
	}
	for dir, l := range d.locks {
		if now, ok := dirID(dir); within(dir, path) && (!ok || now != l.id) {
			d.unlock(dir)
		}
	}
}

// Created looks at a new directory entry: a socket directory made again
// (by a client, say), or one a new server will use, is watched.
func (d *dirSet) Created(path string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.servers[path] != nil {
		d.watch(path)
		d.lock(path)
		return
	}
	for _, b := range d.bases {
		if filepath.Dir(path) == b.Dir && b.Match(filepath.Base(path)) {
			d.watch(path)
		}
	}
}

// MayBeServers reports whether a new entry at path (or the removal of a
// lock file there) can mean a new server: it is in a socket directory, is
// one made again, or is a new one in a base directory. Any other entry of
// a base directory such as /tmp is someone's temporary file, and a
// discovery (a walk of /proc) for each kept --watch busy for as long as
// anyone wrote there (a build, or a user looping on purpose).
func (d *dirSet) MayBeServers(path string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	parent := filepath.Dir(path)
	if d.servers[parent] != nil || d.servers[path] != nil {
		return true
	}
	base := false
	for _, b := range d.bases {
		if b.Dir == parent {
			if b.Match(filepath.Base(path)) {
				return true
			}
			base = true
		}
	}
	return !base
}

// AddBase watches a directory where new socket directories appear, and
// those already in it.
func (d *dirSet) AddBase(b baseDir) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.bases = append(d.bases, b)
	d.watch(b.Dir)
	for _, name := range b.existing() {
		d.watch(filepath.Join(b.Dir, name))
	}
}

// Summary says what is watched and locked, for the start-up line.
func (d *dirSet) Summary() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.protect {
		return fmt.Sprintf(" in %d directories (not locked: --no-protect)", len(d.watched))
	}
	return fmt.Sprintf(" in %d directories, %d locked against cleaners", len(d.watched), len(d.locks))
}

// Close releases every lock.
func (d *dirSet) Close() {
	d.mu.Lock()
	defer d.mu.Unlock()
	for dir := range d.locks {
		d.unlock(dir)
	}
}
