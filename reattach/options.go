package reattach

import (
	"errors"
	"fmt"
	"io"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"github.com/nohupx/nohupx/internal/getopt"
)

// Options is what one reattach-sock invocation asks for. Stdout, Stderr
// and Env are Run's stdio and env; UID is the caller's unless --user.
type Options struct {
	Prog  string
	Kinds []Kind // operands tmux, screen, abduco, emacs
	PIDs  []int  // operands that are pids

	List        bool
	JSON        bool
	DryRun      bool
	Watch       bool
	NoProtect   bool
	EmacsSignal bool
	AllUsers    bool
	UID         int    // the user whose servers are examined
	Under       string // only sockets in this directory or below
	Timeout     time.Duration

	Stdout, Stderr io.Writer
	Env            []string
}

// wantUID selects the users whose servers are examined.
func (o Options) wantUID(uid int) bool { return o.AllUsers || uid == o.UID }

// option is one entry of the option table: its getopt spec, and what it
// sets (nil for --help and --version, which parse handles first).
type option struct {
	getopt.Spec
	set func(o *Options, value string) error
}

// options is reattach-sock's option table. Its setters are plain
// functions, so that the table is laid out by the linker, not built at
// start-up (package initialisation runs for every applet of the binary).
var options = []option{
	{Spec: getopt.Spec{Long: "list", Short: 'l'}, set: func(o *Options, _ string) error { o.List = true; return nil }},
	{Spec: getopt.Spec{Long: "json"}, set: func(o *Options, _ string) error { o.JSON = true; return nil }},
	{Spec: getopt.Spec{Long: "dry-run", Short: 'n'}, set: func(o *Options, _ string) error { o.DryRun = true; return nil }},
	{Spec: getopt.Spec{Long: "watch", Short: 'w'}, set: func(o *Options, _ string) error { o.Watch = true; return nil }},
	{Spec: getopt.Spec{Long: "no-protect"}, set: func(o *Options, _ string) error { o.NoProtect = true; return nil }},
	{Spec: getopt.Spec{Long: "emacs-signal"}, set: func(o *Options, _ string) error { o.EmacsSignal = true; return nil }},
	{Spec: getopt.Spec{Long: "all-users", Short: 'a'}, set: func(o *Options, _ string) error { o.AllUsers = true; return nil }},
	{Spec: getopt.Spec{Long: "user", Short: 'u', Arg: true}, set: func(o *Options, v string) (err error) {
		o.UID, err = lookupUID(v)
		return err
	}},
	{Spec: getopt.Spec{Long: "under", Arg: true}, set: func(o *Options, v string) error {
		if v == "" || v[0] != '/' {
			return fmt.Errorf("--under: %q is not an absolute directory", v)
		}
		// Servers report real paths (macOS's /tmp is /private/tmp).
		o.Under = filepath.Clean(v)
		if real, err := filepath.EvalSymlinks(o.Under); err == nil {
			o.Under = real
		}
		return nil
	}},
	{Spec: getopt.Spec{Long: "timeout", Arg: true}, set: func(o *Options, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return fmt.Errorf("--timeout: invalid duration %q: want e.g. 2s or 500ms", v)
		}
		o.Timeout = d
		return nil
	}},
	{Spec: getopt.Spec{Long: "help"}},
	{Spec: getopt.Spec{Long: "version"}},
}

// lookup is the table's entry for an option getopt returned.
func lookup(name string) option {
	for _, opt := range options {
		if opt.Long == name {
			return opt
		}
	}
	panic("reattach: getopt returned an option not in the table: " + name)
}

type action int

const (
	actRun action = iota
	actHelp
	actVersion
)

// parse reads the command line (argv without argv[0]). As with GNU tools,
// options and operands may be mixed; "--" ends the options. uid is the
// caller's real uid.
func parse(prog string, args []string, uid int) (Options, action, error) {
	o := Options{Prog: prog, UID: uid, Timeout: 2 * time.Second}
	specs := make([]getopt.Spec, len(options))
	for i, opt := range options {
		specs[i] = opt.Spec
	}
	var opts []getopt.Opt
	var operands []string
	for len(args) > 0 {
		got, rest, err := getopt.Parse(args, specs)
		opts = append(opts, got...)
		if err != nil {
			return o, scanHelp(opts), err
		}
		if len(rest) == 0 {
			break
		}
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			operands = append(operands, rest...)
			break
		}
		operands = append(operands, rest[0])
		args = rest[1:]
	}
	if act := scanHelp(opts); act != actRun {
		return o, act, nil
	}
	user := false
	for _, opt := range opts {
		if err := lookup(opt.Name).set(&o, opt.Value); err != nil {
			return o, actRun, err
		}
		user = user || opt.Name == "user"
	}
	if user && o.AllUsers {
		return o, actRun, errors.New("--all-users does not go with --user")
	}
	for _, w := range operands {
		if k := Kind(w); slices.Contains(Kinds, k) {
			o.Kinds = append(o.Kinds, k)
		} else if pid, err := strconv.Atoi(w); err == nil && pid > 0 {
			o.PIDs = append(o.PIDs, pid)
		} else {
			return o, actRun, fmt.Errorf("invalid operand '%s': want tmux, screen, abduco, emacs or a pid", w)
		}
	}
	return o, actRun, o.check(uid)
}

func scanHelp(opts []getopt.Opt) action {
	switch getopt.HelpOrVersion(opts) {
	case "help":
		return actHelp
	case "version":
		return actVersion
	}
	return actRun
}

// check rejects combinations that make no sense.
func (o Options) check(caller int) error {
	switch {
	case o.Watch && (o.List || o.DryRun):
		return errors.New("--watch does not go with --list or --dry-run")
	case o.Watch && o.JSON:
		return errors.New("--json does not go with --watch (its log is text)")
	case o.NoProtect && !o.Watch:
		return errors.New("--no-protect goes with --watch")
	case caller != 0 && (o.AllUsers || o.UID != caller):
		return errors.New("only root can act on other users' servers (--all-users, --user)")
	}
	return nil
}

func lookupUID(name string) (int, error) {
	u, err := user.Lookup(name)
	if err != nil {
		if u, err = user.LookupId(name); err != nil {
			return 0, fmt.Errorf("--user: no such user %q", name)
		}
	}
	return strconv.Atoi(u.Uid)
}
