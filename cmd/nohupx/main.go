// Command nohupx is the multi-call binary of the nohupx suite: this file
// chooses what it does.
//
// One binary serves several applets, chosen like busybox by the basename of
// argv[0] (packages install symlinks named after them), and several hidden
// re-exec stages. Go cannot fork without exec, so every step that must run in
// a fresh process re-executes this binary with argv[0] set to a stage name.
//
// The dispatch order matters:
//  1. a stage name in argv[0] (internal/reexec), checked first so that a
//     stage can never be mistaken for an applet;
//  2. the basename of argv[0];
//  3. an explicit first argument --applet=NAME, for a binary that was renamed
//     (a release download, say);
//  4. otherwise a one-line error listing the applets, status 125.
//
// Applets are never subcommands: "nohupx detach" runs a program called
// detach, as "nohup detach" would.
//
//go:debug containermaxprocs=0
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/nohupx/nohupx/detach"
	"github.com/nohupx/nohupx/internal/applet"
	"github.com/nohupx/nohupx/internal/exitcode"
	"github.com/nohupx/nohupx/internal/reexec"
	_ "github.com/nohupx/nohupx/logrot" // registers the relay's stages
	"github.com/nohupx/nohupx/nohupx"
	"github.com/nohupx/nohupx/reattach"
	"github.com/nohupx/nohupx/setsid"
)

// The go:debug line above (containermaxprocs=0) is for the descriptors:
// otherwise the runtime keeps its cgroup's CPU limit files open for the
// life of the process (two under cgroup v1), to follow a limit for
// GOMAXPROCS that no applet or stage needs. Under a low `ulimit -n` those
// are the descriptors GNU nohup would have for /dev/null and nohup.out.
func main() { os.Exit(Main(os.Args)) }

// An entry is a user-facing command: its name and its entry point, which
// gets the whole argv, argv[0] included, this process's streams and
// environment, and returns the exit status.
type entry struct {
	name string
	run  applet.Func
}

var applets = []entry{
	{"nohupx", nohupx.Run},
	{"nohup", nohupx.Run},
	{"detach", detach.Run},
	{"setsid", setsid.Run},
	{"reattach-sock", reattach.Run},
}

// Main dispatches argv and returns the exit status.
func Main(argv []string) int {
	if len(argv) == 0 {
		fmt.Fprintln(os.Stderr, "nohupx: started with an empty argument list")
		return exitcode.Canceled
	}
	// The stages register themselves with internal/reexec; their names
	// start with reexec.Prefix, which no installed link carries.
	if stage, ok := reexec.Lookup(argv[0]); ok {
		return stage()
	}
	if a, ok := lookup(filepath.Base(argv[0])); ok {
		return a.run(argv, applet.OS(), os.Environ())
	}
	if len(argv) > 1 {
		if name, ok := strings.CutPrefix(argv[1], "--applet="); ok {
			if a, ok := lookup(name); ok {
				return a.run(append([]string{name}, argv[2:]...), applet.OS(), os.Environ())
			}
			fmt.Fprintf(os.Stderr, "%s: unknown applet %q; applets: %s\n", argv[0], name, names())
			return exitcode.Canceled
		}
	}
	fmt.Fprintf(os.Stderr, "%s: unknown applet name %q; run as one of: %s (or with --applet=NAME)\n",
		argv[0], filepath.Base(argv[0]), names())
	return exitcode.Canceled
}

func lookup(name string) (entry, bool) {
	for _, a := range applets {
		if a.name == name {
			return a, true
		}
	}
	return entry{}, false
}

func names() string {
	var n []string
	for _, a := range applets {
		n = append(n, a.name)
	}
	return strings.Join(n, ", ")
}
