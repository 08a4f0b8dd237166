package detach

import (
	"errors"
	"fmt"
	"os"
	"os/user"
	"strconv"
	"strings"
	"time"

	"github.com/nohupx/nohupx/internal/getopt"
	"github.com/nohupx/nohupx/logrot"
)

// Options is what one detach invocation asks for.
type Options struct {
	Prog    string
	Command []string

	Chdir    string // the daemon's working directory; "/" by default
	Umask    int    // -1 leaves the umask as it is
	KeepFds  bool   // keep inherited descriptors >= 3
	Output   string // stdout (and stderr, unless Stderr) to this file; "" is /dev/null
	Stderr   string // stderr to this file
	NoRotate bool   // append to Output/Stderr directly instead of through a relay
	Policy   logrot.Policy

	PrintPid bool
	Wait     bool
	Pidfile  string
	Ready    bool
	Timeout  time.Duration // bounds --ready; 0 waits for ever

	User *Credential // --user; nil keeps the caller's identity

	// The job record (package jobs): the session stage stays to record
	// the exit status unless NoRecord; OnExit runs after the end.
	OnExit   string
	NoRecord bool

	// NoScope keeps the job in the login session's scope even where
	// logind kills it at logout; Linger asks logind for linger (scope.go).
	NoScope, Linger bool
}

// Credential is the identity the command runs as.
type Credential struct {
	Name   string
	Uid    uint32
	Gid    uint32
	Groups []uint32 // supplementary groups, as initgroups(3) would set them
	Home   string
}

// option is one entry of the option table: its getopt spec, and what it
// sets (nil for --help and --version, which parse handles first).
type option struct {
	getopt.Spec
	set func(o *Options, value string) error
}

// options is detach's option table; the rotation options (logrot.Options)
// are set through Policy.Set.
var options = []option{
	{Spec: getopt.Spec{Long: "chdir", Short: 'C', Arg: true}, set: func(o *Options, v string) (err error) {
		o.Chdir, err = nonEmpty("--chdir", v)
		return err
	}},
	{Spec: getopt.Spec{Long: "umask", Arg: true}, set: func(o *Options, v string) error {
		m, err := strconv.ParseUint(v, 8, 32)
		if err != nil || m > 0o777 {
			return fmt.Errorf("--umask: invalid mode %q: want octal, 0 to 777", v)
		}
		o.Umask = int(m)
		return nil
	}},
	{Spec: getopt.Spec{Long: "keep-fds"}, set: func(o *Options, _ string) error { o.KeepFds = true; return nil }},
	{Spec: getopt.Spec{Long: "output", Short: 'o', Arg: true}, set: func(o *Options, v string) (err error) {
		o.Output, err = nonEmpty("--output", v)
		return err
	}},
	{Spec: getopt.Spec{Long: "stderr", Arg: true}, set: func(o *Options, v string) (err error) {
		o.Stderr, err = nonEmpty("--stderr", v)
		return err
	}},
	{Spec: getopt.Spec{Long: "no-rotate"}, set: func(o *Options, _ string) error { o.NoRotate = true; return nil }},
	{Spec: getopt.Spec{Long: "print-pid", Short: 'p'}, set: func(o *Options, _ string) error { o.PrintPid = true; return nil }},
	{Spec: getopt.Spec{Long: "wait", Short: 'w'}, set: func(o *Options, _ string) error { o.Wait = true; return nil }},
	{Spec: getopt.Spec{Long: "pidfile", Arg: true}, set: func(o *Options, v string) (err error) {
		o.Pidfile, err = nonEmpty("--pidfile", v)
		return err
	}},
	{Spec: getopt.Spec{Long: "ready"}, set: func(o *Options, _ string) error { o.Ready = true; return nil }},
	{Spec: getopt.Spec{Long: "timeout", Arg: true}, set: func(o *Options, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return fmt.Errorf("--timeout: invalid duration %q: want e.g. 30s or 2m", v)
		}
		o.Timeout = d
		return nil
	}},
	{Spec: getopt.Spec{Long: "user", Short: 'u', Arg: true}, set: func(o *Options, v string) (err error) {
		o.User, err = lookupUser(v)
		return err
	}},
	{Spec: getopt.Spec{Long: "on-exit", Arg: true}, set: func(o *Options, v string) error {
		if v == "" {
			return fmt.Errorf("--on-exit needs a command")
		}
		o.OnExit = v
		return nil
	}},
	{Spec: getopt.Spec{Long: "no-record"}, set: func(o *Options, _ string) error { o.NoRecord = true; return nil }},
	{Spec: getopt.Spec{Long: "no-scope"}, set: func(o *Options, _ string) error { o.NoScope = true; return nil }},
	{Spec: getopt.Spec{Long: "linger"}, set: func(o *Options, _ string) error { o.Linger = true; return nil }},
	{Spec: getopt.Spec{Long: "help"}},
	{Spec: getopt.Spec{Long: "version"}},
}

// specs is what getopt is given: the table's and the rotation options.
// Built when parsing, not at start-up: package initialisation runs for
// every applet of the binary, nohupx's fast exec path included.
func specs() []getopt.Spec {
	s := make([]getopt.Spec, 0, len(options)+len(logrot.Options))
	for _, opt := range options {
		s = append(s, opt.Spec)
	}
	return append(s, logrot.Options...)
}

// lookup is the table's entry for an option getopt returned.
func lookup(name string) option {
	for _, opt := range options {
		if opt.Long == name {
			return opt
		}
	}
	panic("detach: getopt returned an option not in the table: " + name)
}

type action int

const (
	actRun action = iota
	actHelp
	actVersion
)

var errMissingOperand = errors.New("missing operand")

// parse reads the command line (argv without argv[0]).
func parse(prog string, args []string) (Options, action, error) {
	o := Options{Prog: prog, Chdir: "/", Umask: -1, Policy: logrot.DefaultPolicy}
	opts, rest, perr := getopt.Parse(args, specs())
	switch getopt.HelpOrVersion(opts) {
	case "help":
		return o, actHelp, nil
	case "version":
		return o, actVersion, nil
	}
	if perr != nil {
		return o, actRun, perr
	}
	for _, opt := range opts {
		if ok, err := o.Policy.Set(opt.Name, opt.Value); ok {
			if err != nil {
				return o, actRun, err
			}
			continue
		}
		if err := lookup(opt.Name).set(&o, opt.Value); err != nil {
			return o, actRun, err
		}
	}
	if err := o.Policy.Validate(); err != nil {
		return o, actRun, err
	}
	if o.Timeout > 0 && !o.Ready {
		return o, actRun, errors.New("--timeout goes with --ready")
	}
	if o.Wait && o.Ready {
		// Each decides when detach returns, and with what status: one
		// of them would be ignored.
		return o, actRun, errors.New("--wait and --ready go one at a time (--wait returns at the end, --ready once it is ready)")
	}
	if o.OnExit != "" && o.NoRecord {
		// The stage runs CMD after appending the end to the record:
		// without one it would never run. Refused as nohupx refuses it.
		return o, actRun, errors.New("--on-exit needs the job record, which --no-record turns off")
	}
	if len(rest) == 0 {
		return o, actRun, errMissingOperand
	}
	o.Command = rest
	return o, actRun, nil
}

func nonEmpty(opt, v string) (string, error) {
	if v == "" {
		return "", fmt.Errorf("%s needs a file name", opt)
	}
	return v, nil
}

// errUserNotRoot refuses --user to anyone but root: only root may change
// its identity (or even its groups) for the command, which would otherwise
// fail to run with EPERM and be reported as the command's failure (126).
var errUserNotRoot = errors.New("--user: only root can run a command as another user")

// lookupUser resolves USER[:GROUP] (names or numbers) and the user's
// supplementary groups, which is what initgroups(3) would install. Only
// root may ask.
func lookupUser(spec string) (*Credential, error) {
	if os.Geteuid() != 0 {
		return nil, errUserNotRoot
	}
	name, group, hasGroup := strings.Cut(spec, ":")
	u, err := user.Lookup(name)
	if err != nil {
		if u, err = user.LookupId(name); err != nil {
			return nil, fmt.Errorf("--user: no such user %q", name)
		}
	}
	c := &Credential{Name: u.Username, Home: u.HomeDir}
	uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
	gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
	if err1 != nil || err2 != nil {
		return nil, fmt.Errorf("--user: %q has a non-numeric id", name)
	}
	c.Uid, c.Gid = uint32(uid), uint32(gid)
	if hasGroup {
		g, err := user.LookupGroup(group)
		if err != nil {
			if g, err = user.LookupGroupId(group); err != nil {
				return nil, fmt.Errorf("--user: no such group %q", group)
			}
		}
		gid, err := strconv.ParseUint(g.Gid, 10, 32)
		if err != nil {
			return nil, fmt.Errorf("--user: group %q has a non-numeric id", group)
		}
		c.Gid = uint32(gid)
	}
	ids, err := u.GroupIds()
	if err != nil {
		return nil, fmt.Errorf("--user: supplementary groups of %q: %w", name, err)
	}
	for _, id := range ids {
		if n, err := strconv.ParseUint(id, 10, 32); err == nil {
			c.Groups = append(c.Groups, uint32(n))
		}
	}
	return c, nil
}
