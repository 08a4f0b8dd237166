package reattach

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/nohupx/nohupx/internal/applet"
)

// baseDir is a directory in which a server's socket directory is created
// (tmux-UID in /tmp, S-USER in /run/screen): --watch watches it so that the
// servers started later are found without polling.
type baseDir struct {
	Dir   string
	Match func(name string) bool
}

func (b baseDir) existing() []string {
	ents, _ := os.ReadDir(b.Dir)
	var out []string
	for _, e := range ents {
		if e.IsDir() && b.Match(e.Name()) {
			out = append(out, e.Name())
		}
	}
	return out
}

// baseDirs are the directories the servers of the wanted users would use,
// computed as each program does from this process's environment (each
// program's rule is written beside its line below). A server started with
// an explicit path elsewhere (tmux -S) is found when something else there
// changes, or at the next start.
func baseDirs(o Options) []baseDir {
	getenv := func(k string) string {
		v, _ := applet.Getenv(o.Env, k)
		return v
	}
	uid, name := o.UID, userName(o.UID)
	named := func(prefix, suffix string) func(string) bool {
		if o.AllUsers {
			return func(n string) bool { return strings.HasPrefix(n, prefix) }
		}
		return func(n string) bool { return n == prefix+suffix }
	}
	exact := func(want string) func(string) bool { return func(n string) bool { return n == want } }
	var out []baseDir
	add := func(k Kind, dir string, m func(string) bool) {
		if dir == "" || (len(o.Kinds) > 0 && !slices.Contains(o.Kinds, k)) {
			return
		}
		dir = filepath.Clean(dir)
		if real, err := filepath.EvalSymlinks(dir); err == nil {
			dir = real // macOS: /tmp is /private/tmp, where tmux binds
		}
		if o.Under != "" && !within(dir, o.Under) {
			return
		}
		out = append(out, baseDir{Dir: dir, Match: m})
	}

	// tmux: ${TMUX_TMPDIR:-/tmp}/tmux-UID; TMUX_TMPDIR counts only if it
	// exists.
	tmp := "/tmp"
	if d := getenv("TMUX_TMPDIR"); d != "" && isDir(d) {
		tmp = d
	}
	add(Tmux, tmp, named("tmux-", strconv.Itoa(uid)))
	// screen: $SCREENDIR itself, or /run/screen/S-USER (Debian).
	if d := getenv("SCREENDIR"); d != "" {
		add(Screen, filepath.Dir(d), exact(filepath.Base(d)))
	} else {
		add(Screen, "/run/screen", named("S-", name))
	}
	// emacs: $XDG_RUNTIME_DIR/emacs, else ${TMPDIR:-/tmp}/emacsUID.
	if d := getenv("XDG_RUNTIME_DIR"); d != "" {
		add(Emacs, d, exact("emacs"))
	}
	etmp := getenv("TMPDIR")
	if etmp == "" {
		etmp = "/tmp"
	}
	add(Emacs, etmp, named("emacs", strconv.Itoa(uid)))
	// abduco: $ABDUCO_SOCKET_DIR, $XDG_RUNTIME_DIR/abduco, /tmp/abduco/USER.
	if d := getenv("ABDUCO_SOCKET_DIR"); d != "" {
		add(Abduco, filepath.Dir(d), exact(filepath.Base(d)))
	}
	if d := getenv("XDG_RUNTIME_DIR"); d != "" {
		add(Abduco, d, exact("abduco"))
	}
	add(Abduco, "/tmp/abduco", named("", name))
	return out
}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}
