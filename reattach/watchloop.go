package reattach

import (
	"fmt"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// retryDelays space out new attempts after a repair failed for a reason
// that may pass (a directory being removed under us by a running rm -rf, a
// tmux client holding the lock). Each new event starts again at once.
var retryDelays = []time.Duration{5 * time.Millisecond, 50 * time.Millisecond, 500 * time.Millisecond, 5 * time.Second}

// loop is one server's repair loop: each poke inspects the server and, if
// it is broken, recovers it.
func (w *watcher) loop(key string, t *tracked) {
	for {
		select {
		case <-w.ctx.Done():
			return
		case <-t.done:
			return
		case <-t.kick:
		}
		w.mu.Lock()
		s, since := t.s, t.deleted
		w.mu.Unlock()
		if !w.graceForCleaner(s, since) {
			return
		}
		w.expect(s)
		res := w.rec.recover(s)
		switch {
		case res.After.State == Gone:
			w.mu.Lock()
			w.drop(key, t)
			w.mu.Unlock()
			return
		case res.Before.State == Reachable:
			w.mu.Lock()
			t.deleted, t.retries = time.Time{}, 0
			w.mu.Unlock()
			continue
		}
		w.dirs.AddServer(res.Server) // the directory may be new: watch and lock it
		w.logf("%s", describe(res, since))
		w.mu.Lock()
		t.s = res.Server
		if res.OK() {
			t.deleted, t.retries = time.Time{}, 0
		} else if res.Before.State.Recoverable() && t.retries < len(retryDelays) {
			d := retryDelays[t.retries]
			t.retries++
			time.AfterFunc(d, t.poke)
		}
		w.mu.Unlock()
	}
}

// drop forgets a server that exited; w.mu is held.
func (w *watcher) drop(key string, t *tracked) {
	if w.servers[key] != t {
		return
	}
	delete(w.servers, key)
	close(t.done)
	w.dirs.DropServer(t.s)
	w.logf("%s exited; no longer tracked", t.s)
}

// expect notes the paths the repair of s may itself remove, so that their
// deletion is not logged as the work of a cleaner.
func (w *watcher) expect(s Server) {
	w.mu.Lock()
	defer w.mu.Unlock()
	now := time.Now()
	w.ours[s.Path+".lock"] = now
	w.ours[s.Path] = now
	for p, at := range w.ours {
		if now.Sub(at) > 2*time.Second {
			delete(w.ours, p)
		}
	}
}

// isOurs reports whether name is a path the repair removed (a tmux lock
// file, or a stale socket screen or tmux replaces) within the last moment.
// A socket whose server was reachable is never ours.
func (w *watcher) isOurs(name string, at time.Time) bool {
	if strings.HasSuffix(name, ".lock") {
		return true
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	since, ok := w.ours[name]
	if !ok || at.Sub(since) > 2*time.Second {
		return false
	}
	for _, t := range w.servers {
		if t.s.Path == name && t.deleted.Before(since) {
			return true
		}
	}
	return false
}

// logf writes one timestamped line. Several goroutines log (the repair
// loops, the deletion reports); the clock is read under the lock that
// orders the writes, so that the stamps never go backwards down the log.
// A line about an earlier moment says that moment in its text.
func (w *watcher) logf(format string, a ...any) {
	w.logMu.Lock()
	defer w.logMu.Unlock()
	fmt.Fprintf(w.out, "%s %s\n", time.Now().Format("2006-01-02T15:04:05.000Z07:00"), fmt.Sprintf(format, a...))
}

// cleanerGrace is how long a repair waits after a deletion inside a socket
// directory that is still there. A cleaner's rm -rf unlinks the entries of
// a directory and then removes it; a repair in between puts an entry back
// (the socket, or the pin that holds the directory), and the rmdir fails
// with ENOTEMPTY ("Directory not empty"). Waiting lets the rmdir come
// first; the repair then makes the directory again.
const cleanerGrace = 50 * time.Millisecond

// graceForCleaner waits until cleanerGrace has passed since the deletion
// at since, if s's socket is gone but its directory is still there. It
// returns false if the watch is ending.
func (w *watcher) graceForCleaner(s Server, since time.Time) bool {
	if since.IsZero() {
		return true
	}
	wait := cleanerGrace - time.Since(since)
	if wait <= 0 {
		return true
	}
	var st unix.Stat_t
	if unix.Lstat(s.Path, &st) == nil || unix.Lstat(s.Dir(), &st) != nil {
		return true // the socket is back, or the directory is gone already
	}
	select {
	case <-w.ctx.Done():
		return false
	case <-time.After(wait):
		return true
	}
}
