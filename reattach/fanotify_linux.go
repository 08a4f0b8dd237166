package reattach

import (
	"os"
	"path/filepath"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// fanotifier reads FAN_DELETE events, which carry the deleter's pid, for
// the watched directories. It needs CAP_SYS_ADMIN: unprivileged fanotify
// reports pid 0 for other users' processes, and FAN_REPORT_DFID_NAME
// (which gives the directory and the name) needs Linux 5.9.
type fanotifier struct {
	proc string
	fd   int      // for fanotify_mark; f.Fd() would make f blocking
	f    *os.File // for reading through the runtime poller

	mu      sync.Mutex
	dirs    map[string]string // handleKey -> directory path
	recent  []deletion        // the last few hundred deletions
	changed chan struct{}     // closed, and replaced, at each new deletion
}

type deletion struct {
	path string
	at   time.Time
	who  string
}

func newFanotifier(proc string) (*fanotifier, error) {
	fd, err := unix.FanotifyInit(unix.FAN_CLASS_NOTIF|unix.FAN_CLOEXEC|unix.FAN_NONBLOCK|unix.FAN_REPORT_DFID_NAME, unix.O_RDONLY|unix.O_CLOEXEC)
	if err != nil {
		return nil, err
	}
	// Non-blocking, so that os.File reads through the runtime poller and
	// Close wakes the reader.
	fa := &fanotifier{proc: proc, fd: fd, f: os.NewFile(uintptr(fd), "fanotify"),
		dirs: map[string]string{}, changed: make(chan struct{})}
	go fa.read()
	return fa, nil
}

// Mark reports deletions of entries in dir (FAN_ONDIR: subdirectories
// too, which is how a socket directory's own rmdir is seen, in its
// parent).
func (fa *fanotifier) Mark(dir string) {
	h, _, err := unix.NameToHandleAt(unix.AT_FDCWD, dir, 0)
	if err != nil {
		return
	}
	if unix.FanotifyMark(fa.fd, unix.FAN_MARK_ADD, unix.FAN_DELETE|unix.FAN_ONDIR, unix.AT_FDCWD, dir) != nil {
		return
	}
	fa.mu.Lock()
	fa.dirs[handleKey(h.Type(), h.Bytes())] = filepath.Clean(dir)
	fa.mu.Unlock()
}

func (fa *fanotifier) read() {
	buf := make([]byte, 64<<10)
	for {
		n, err := fa.f.Read(buf)
		if err != nil {
			return
		}
		now := time.Now()
		evs, _ := parseFanotify(buf[:n])
		for _, ev := range evs {
			fa.mu.Lock()
			dir, ok := fa.dirs[ev.DirKey()]
			fa.mu.Unlock()
			if !ok || ev.Mask&fanDelete == 0 {
				continue
			}
			d := deletion{path: filepath.Join(dir, ev.Name), at: now, who: describeProc(fa.proc, int(ev.PID))}
			fa.mu.Lock()
			if len(fa.recent) >= 256 {
				fa.recent = fa.recent[1:]
			}
			fa.recent = append(fa.recent, d)
			close(fa.changed)
			fa.changed = make(chan struct{})
			fa.mu.Unlock()
		}
	}
}

// Wait finds who deleted path at about `at`, waiting up to d for the event
// to be read.
func (fa *fanotifier) Wait(path string, at time.Time, d time.Duration) (string, bool) {
	timer := time.NewTimer(d)
	defer timer.Stop()
	for {
		fa.mu.Lock()
		for i := len(fa.recent) - 1; i >= 0; i-- {
			r := fa.recent[i]
			if r.path == path && r.at.Sub(at).Abs() < 2*time.Second {
				fa.mu.Unlock()
				return r.who, true
			}
		}
		ch := fa.changed
		fa.mu.Unlock()
		select {
		case <-ch:
		case <-timer.C:
			return "", false
		}
	}
}

func (fa *fanotifier) Close() { fa.f.Close() }
