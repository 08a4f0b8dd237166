package reattach

import (
	"strings"
	"testing"
	"time"

	"github.com/fsnotify/fsnotify"
)

// TestWatchRescansOnlyForServers: a new entry, or a removed lock file,
// makes --watch look for new servers only where a server can be: in a
// socket directory, or as a socket directory in a base directory. Every
// other file in /tmp did so before, and anyone writing there kept root's
// --watch walking /proc without pause.
func TestWatchRescansOnlyForServers(t *testing.T) {
	const base, sockDir = "/nonexistent/tmp", "/nonexistent/tmp/tmux-0"
	tests := []struct {
		op     fsnotify.Op
		name   string
		rescan bool
	}{
		{fsnotify.Create, base + "/cc1234.o", false},
		{fsnotify.Remove, base + "/build.lock", false},
		{fsnotify.Create, base + "/tmux-1000", true},
		{fsnotify.Create, sockDir + "/other", true},
		{fsnotify.Remove, sockDir + "/other.lock", true},
		{fsnotify.Create, "/nonexistent/S/1.x", true}, // not a base: a socket directory's parent
	}
	for _, tt := range tests {
		d := newDirSet(nil, nil, false, func(string, ...any) {})
		d.bases = []baseDir{{Dir: base, Match: func(n string) bool { return strings.HasPrefix(n, "tmux-") }}}
		d.servers[sockDir] = map[string]bool{"1:" + sockDir + "/default": true}
		w := &watcher{servers: map[string]*tracked{}, ours: map[string]time.Time{}, rescan: make(chan struct{}, 1), dirs: d}
		w.event(fsnotify.Event{Name: tt.name, Op: tt.op}, time.Now())
		if got := len(w.rescan) == 1; got != tt.rescan {
			t.Errorf("%v %s: rescan %v; want %v", tt.op, tt.name, got, tt.rescan)
		}
	}
}
