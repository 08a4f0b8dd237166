package reexec

import (
	"fmt"
	"strings"
)

// Prefix starts every stage name. No installed link carries it, so a
// stage can never be taken for an applet, nor an applet for a stage.
const Prefix = "nohupx:"

var stages = map[string]func() int{}

// Register makes main the entry point of the stage name: a process started
// with argv[0] name runs main instead of an applet and exits with its
// status. Packages register their stages in init, as moby's reexec does;
// a name registered twice, or without Prefix, is a programming error.
func Register(name string, main func() int) {
	if !strings.HasPrefix(name, Prefix) || strings.ContainsRune(name, 0) {
		panic(fmt.Sprintf("reexec: stage name %q must start with %q and hold no NUL", name, Prefix))
	}
	if _, dup := stages[name]; dup {
		panic(fmt.Sprintf("reexec: stage %q registered twice", name))
	}
	stages[name] = main
}

// Lookup returns the stage that argv0 names, if any.
func Lookup(argv0 string) (main func() int, ok bool) {
	main, ok = stages[argv0]
	return main, ok
}
