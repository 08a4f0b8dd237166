package reattach

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"
)

// watcher is --watch: it repairs deletions as the kernel reports them
// (inotify on Linux, kqueue on macOS, through fsnotify), never by polling.
type watcher struct {
	o   Options
	sys system
	rec *recoverer
	fs  *fsnotify.Watcher
	who attributor
	out io.Writer

	logMu sync.Mutex
	mu    sync.Mutex
	// servers are the tracked servers, by pid and path.
	servers map[string]*tracked
	dirs    *dirSet
	// ours are paths reattach-sock itself removes (a stale file, its tmux
	// lock file), with when, so that their deletion is not reported.
	ours   map[string]time.Time
	rescan chan struct{}
	ctx    context.Context
}

// tracked is one server and its repair loop.
type tracked struct {
	s       Server
	kick    chan struct{} // buffered 1: repairs coalesce
	done    chan struct{} // closed when the server is dropped
	deleted time.Time     // first deletion seen since the last repair
	retries int
}

func serverKey(s Server) string { return fmt.Sprintf("%d:%s", s.PID, s.Path) }

// kick asks the server's loop for a repair, without blocking: one pending
// request covers any number of events.
func (t *tracked) poke() {
	select {
	case t.kick <- struct{}{}:
	default:
	}
}

func runWatch(ctx context.Context, o Options, sys system) error {
	fw, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("watch: %w", err)
	}
	defer fw.Close()
	w := &watcher{
		o: o, sys: sys, fs: fw, out: o.Stdout, ctx: ctx,
		servers: map[string]*tracked{},
		ours:    map[string]time.Time{},
		rescan:  make(chan struct{}, 1),
	}
	w.who = newAttributor(w.logf)
	defer w.who.Close()
	w.dirs = newDirSet(fw, w.who, !o.NoProtect, w.logf)
	defer w.dirs.Close()
	w.rec = &recoverer{sys: sys, emacsSignal: o.EmacsSignal, timeout: o.Timeout, dirCreated: w.dirs.Add}

	for _, b := range baseDirs(o) {
		w.dirs.AddBase(b)
	}
	w.discover()
	w.logf("watching %d server(s)%s", w.count(), w.dirs.Summary())

	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-w.rescan:
				w.discover()
			}
		}
	}()
	for {
		select {
		case <-ctx.Done():
			w.logf("stopping")
			return nil
		case err, ok := <-fw.Errors:
			if !ok {
				return nil
			}
			w.logf("watch error: %v", err)
		case ev, ok := <-fw.Events:
			if !ok {
				return nil
			}
			w.event(ev, time.Now())
		}
	}
}

// event routes one filesystem event.
func (w *watcher) event(ev fsnotify.Event, at time.Time) {
	name := ev.Name
	switch {
	case ev.Has(fsnotify.Remove) && strings.HasSuffix(name, ".lock"):
		// A starting tmux server removes <socket>.lock once it listens.
		if w.dirs.MayBeServers(name) {
			w.lookAgain()
		}
	case isPin(name):
		// A recovery's own placeholder.
	case ev.Has(fsnotify.Remove) || ev.Has(fsnotify.Rename):
		w.dirs.Gone(name)
		hit := w.affected(name, at)
		if len(hit) > 0 && !w.isOurs(name, at) {
			go w.report(name, at, hit)
		}
	case ev.Has(fsnotify.Create):
		w.dirs.Created(name)
		if w.dirs.MayBeServers(name) {
			w.lookAgain()
		}
	case ev.Has(fsnotify.Chmod):
		w.affected(name, time.Time{})
	}
}

// lookAgain asks for a discovery now and twice more shortly after: a
// socket file appears at bind(2), a moment before the server calls
// listen(2), and only listening sockets are found. Requests coalesce.
func (w *watcher) lookAgain() {
	ask := func() {
		select {
		case w.rescan <- struct{}{}:
		default:
		}
	}
	ask()
	time.AfterFunc(20*time.Millisecond, ask)
	time.AfterFunc(200*time.Millisecond, ask)
}

// affected pokes every server whose socket is name or lies below it, and
// returns a description of each.
func (w *watcher) affected(name string, at time.Time) []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	var hit []string
	for _, t := range w.servers {
		if !within(t.s.Path, name) {
			continue
		}
		what := "socket"
		if name != t.s.Path {
			what = "directory"
		}
		hit = append(hit, fmt.Sprintf("%s of %s server %d", what, t.s.Kind, t.s.PID))
		if !at.IsZero() && t.deleted.IsZero() {
			t.deleted = at
		}
		t.poke()
	}
	return hit
}

// report logs a deletion: when, what it broke, and who did it or the best
// hint there is. It runs apart from the repair, which does not wait for it.
func (w *watcher) report(name string, at time.Time, hit []string) {
	who := w.who.Who(name, at)
	if who != "" {
		who = "; " + who
	}
	// Attribution may take a moment, while the repair logs on: the line
	// is stamped when written, and says when the deletion was seen.
	w.logf("deleted %s at %s (%s)%s", name, at.Format("15:04:05.000"), strings.Join(hit, ", "), who)
}

// discover finds servers, starts a repair loop for each new one and drops
// those that are gone.
func (w *watcher) discover() {
	all, warn, err := w.sys.Discover(w.o.wantUID)
	for _, m := range warn {
		w.logf("warning: %s", m)
	}
	if err != nil {
		w.logf("discovery failed: %v", err)
		return
	}
	found, _ := selectServers(all, w.o.Kinds, w.o.PIDs, w.o.Under)
	w.mu.Lock()
	defer w.mu.Unlock()
	seen := map[string]bool{}
	for _, s := range found {
		seen[serverKey(s)] = true
	}
	for k, t := range w.servers {
		// A server that is no longer found and no longer runs: tmux leaves
		// its socket file behind when killed, so no event may come for it.
		if !seen[k] && !w.sys.Alive(t.s) {
			w.drop(k, t)
		}
	}
	for _, s := range found {
		k := serverKey(s)
		if _, ok := w.servers[k]; ok {
			continue
		}
		t := &tracked{s: s, kick: make(chan struct{}, 1), done: make(chan struct{})}
		w.servers[k] = t
		w.dirs.AddServer(s)
		w.logf("tracking %s", s)
		t.poke() // repair at once if it is already broken
		go w.loop(k, t)
	}
}

func (w *watcher) count() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.servers)
}
