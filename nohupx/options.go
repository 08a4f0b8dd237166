package nohupx

import (
	"errors"
	"fmt"
	"io"
	"syscall"

	"github.com/nohupx/nohupx/internal/applet"
	"github.com/nohupx/nohupx/internal/getopt"
	"github.com/nohupx/nohupx/internal/sigs"
	"github.com/nohupx/nohupx/logrot"
)

// Options is what one invocation asks for.
type Options struct {
	// Prog is argv[0] as given; every message starts with it, as GNU's do.
	Prog string
	// Out and Err are the applet's own streams (applet.Stdio); Env is the
	// environment, which the command gets.
	Out, Err io.Writer
	Env      []string
	// Command is the command and its arguments.
	Command []string
	// Output replaces nohup.out as the file redirected output goes to.
	// There is no $HOME fallback for a file the user named.
	Output string
	// Quiet drops the advisory lines ("ignoring input", …).
	Quiet bool
	// Ignore lists the signals set to SIG_IGN before exec; SIGHUP is
	// always in it.
	Ignore sigs.Set
	// AllStdio redirects stdin, stdout and stderr whether or not they are
	// terminals, so that a remote shell's channel is released at once.
	AllStdio bool
	// Survive is the logout-proof preset; it is already folded into Ignore
	// and kept for the warnings.
	Survive bool
	// NoRotate appends to the output file directly, as GNU nohup does;
	// otherwise a relay (package logrot) writes it and rotates it by Policy.
	NoRotate bool
	Policy   logrot.Policy
	// PolicySet says a rotation option was given: then an output the user
	// redirected to a regular file is rotated too.
	PolicySet bool
	// RotateFile is the log file whose relay --rotate signals.
	RotateFile string
	// LinksDir is where --install-links puts the applet links; DropIn
	// adds nohup and setsid.
	LinksDir string
	DropIn   bool
	// Attach is -p or -g: change the running processes (or process
	// groups) Targets instead of running a command; see attach.go.
	Attach   attachMode
	Targets  []int
	Always   bool // -a: replace a handler the program installed itself
	Continue bool // --continue: resume a stopped target afterwards

	// The job record (package jobs): Job is the JOB of --log, --wait and
	// --kill; Lines is --lines (-1: all).
	Job      string
	JSON     bool
	Follow   bool
	Lines    int
	Signal   syscall.Signal
	OnExit   string
	NoRecord bool

	// NoScope keeps the job in the login session's scope even where
	// logind kills it at logout; Linger asks logind for linger (scope.go).
	NoScope, Linger bool
}

// survivePreset is what --survive ignores. SIGTERM because bash sends it
// to stopped jobs when it exits; SIGTTIN and SIGTTOU because a background
// job that touches the terminal is otherwise stopped, and a stopped job is
// what gets that SIGTERM. SIGTSTP and SIGCONT stay as they are so that ^Z,
// bg and fg still work.
var survivePreset = []syscall.Signal{syscall.SIGHUP, syscall.SIGTERM, syscall.SIGTTIN, syscall.SIGTTOU}

// option is one entry of the option table: the getopt spec, and what it
// does. set changes the options; act, when not actRun, is the action the
// option asks for instead of running a command.
type option struct {
	getopt.Spec
	set func(o *Options, value string) error
	act action
}

// named sets *dst to v, the value of an option that names something;
// what is the error for an empty one.
func named(dst *string, v, what string) error {
	if v == "" {
		return errors.New(what)
	}
	*dst = v
	return nil
}

// The option table is runOptions and jobOptions, -p/-g's included: the
// command line is parsed once. -a and --continue exist only with -p or
// -g; parse says so in getopt's words otherwise, as GNU nohup would. The
// entries are plain literals, so that the table costs nothing at start-up:
// package initialisation runs for every applet and stage of the binary,
// nohupx's exec path included.
var runOptions = []option{
	{Spec: getopt.Spec{Long: "output", Short: 'o', Arg: true}, set: func(o *Options, v string) error { return named(&o.Output, v, "--output needs a file name") }},
	{Spec: getopt.Spec{Long: "quiet", Short: 'q'}, set: func(o *Options, _ string) error { o.Quiet = true; return nil }},
	{Spec: getopt.Spec{Long: "ignore", Arg: true}, set: (*Options).addIgnore},
	{Spec: getopt.Spec{Long: "survive", Short: 's'}, set: func(o *Options, _ string) error {
		o.Survive = true
		o.Ignore = o.Ignore.Add(survivePreset...)
		return nil
	}},
	{Spec: getopt.Spec{Long: "all-stdio"}, set: func(o *Options, _ string) error { o.AllStdio = true; return nil }},
	{Spec: getopt.Spec{Long: "no-rotate"}, set: func(o *Options, _ string) error { o.NoRotate = true; return nil }},
	{Spec: getopt.Spec{Long: "rotate", Arg: true}, act: actRotate, set: func(o *Options, v string) error { return named(&o.RotateFile, v, "--rotate needs a file name") }},
	{Spec: getopt.Spec{Long: "relays"}, act: actRelays},
	{Spec: getopt.Spec{Long: "install-links", Arg: true}, act: actLinks, set: func(o *Options, v string) error { return named(&o.LinksDir, v, "--install-links needs a directory") }},
	{Spec: getopt.Spec{Long: "drop-in"}, set: func(o *Options, _ string) error { o.DropIn = true; return nil }},
	{Spec: getopt.Spec{Long: "no-scope"}, set: func(o *Options, _ string) error { o.NoScope = true; return nil }},
	{Spec: getopt.Spec{Long: "linger"}, set: func(o *Options, _ string) error { o.Linger = true; return nil }},
	{Spec: getopt.Spec{Long: "pid", Short: 'p'}, set: func(o *Options, _ string) error { return o.setAttach(attachPID) }},
	{Spec: getopt.Spec{Long: "pgid", Short: 'g'}, set: func(o *Options, _ string) error { return o.setAttach(attachGroup) }},
	{Spec: getopt.Spec{Long: "always", Short: 'a'}, set: func(o *Options, _ string) error { o.Always = true; return nil }},
	{Spec: getopt.Spec{Long: "continue"}, set: func(o *Options, _ string) error { o.Continue = true; return nil }},
	{Spec: getopt.Spec{Long: "help"}, act: actHelp},
	{Spec: getopt.Spec{Long: "version"}, act: actVersion},
}

// options yields every entry of the option table.
func options(yield func(option) bool) {
	for _, table := range [][]option{runOptions, jobOptions} {
		for _, opt := range table {
			if !yield(opt) {
				return
			}
		}
	}
}

// specs is what getopt is given: the table's specs and the rotation
// options (logrot.Options, set through Policy.Set).
func specs() []getopt.Spec {
	s := make([]getopt.Spec, 0, len(runOptions)+len(jobOptions)+len(logrot.Options))
	for opt := range options {
		s = append(s, opt.Spec)
	}
	return append(s, logrot.Options...)
}

func lookupOption(name string) option {
	for opt := range options {
		if opt.Long == name {
			return opt
		}
	}
	return option{}
}

func (o *Options) addIgnore(v string) error {
	set, err := sigs.ParseList(v)
	if err != nil {
		return fmt.Errorf("--ignore: %w", err)
	}
	for _, sig := range set {
		if err := sigs.CheckIgnorable(sig); err != nil {
			return fmt.Errorf("--ignore: %w", err)
		}
	}
	o.Ignore = o.Ignore.Add(set...)
	return nil
}

// action is what the command line asks for besides running a command.
type action int

const (
	actRun action = iota
	actHelp
	actVersion
	actRotate // --rotate FILE: rotate a running relay's file now
	actRelays // --relays: list the running relays
	actLinks  // --install-links DIR
	actAttach // -p PID... or -g PGID...: change running processes
	actJobs   // --jobs: list the recorded jobs
	actLog    // --log=JOB: print a job's output
	actWait   // --wait=JOB: wait for a job to end
	actKill   // --kill=JOB: signal a job
)

// errMissingOperand is GNU's "missing operand": no COMMAND was given.
var errMissingOperand = errors.New("missing operand")

// parse reads the command line (argv without argv[0]). --help and
// --version win over anything that follows them, as in GNU nohup.
func parse(prog string, args []string) (Options, action, error) {
	o := Options{Prog: prog, Ignore: sigs.Set{syscall.SIGHUP}, Policy: logrot.DefaultPolicy, Lines: -1}
	opts, rest, perr := getopt.Parse(args, specs())
	switch getopt.HelpOrVersion(opts) {
	case "help":
		return o, actHelp, nil
	case "version":
		return o, actVersion, nil
	}
	given := map[string]bool{}
	for _, opt := range opts {
		given[opt.Name] = true
	}
	for _, opt := range opts {
		if (opt.Name == "always" || opt.Name == "continue") && !given["pid"] && !given["pgid"] {
			// They exist only with -p or -g, as far as GNU nohup's
			// users can tell; and getopt would have stopped there.
			return o, actRun, getopt.Unknown(opt)
		}
	}
	if perr != nil {
		return o, actRun, perr
	}
	act, err := o.apply(opts)
	if err != nil {
		return o, actRun, err
	}
	if err := jobOptionsFit(act, given, o); err != nil {
		return o, actRun, err
	}
	if o.Attach != attachNone {
		return attachOperands(o, act, rest)
	}
	if o.DropIn && act != actLinks {
		return o, actRun, fmt.Errorf("--drop-in goes with --install-links")
	}
	if act != actRun {
		if len(rest) > 0 {
			return o, actRun, fmt.Errorf("extra operand %q after %s", rest[0], actionName(act))
		}
		return o, act, nil
	}
	if len(rest) == 0 {
		return o, actRun, errMissingOperand
	}
	o.Command = rest
	return o, actRun, nil
}

// apply sets what opts ask for, in order (the last of an option wins),
// and returns the action the last action option asks for, actRun if none.
func (o *Options) apply(opts []getopt.Opt) (action, error) {
	act := actRun
	for _, opt := range opts {
		if ok, err := o.Policy.Set(opt.Name, opt.Value); ok {
			if err != nil {
				return actRun, err
			}
			o.PolicySet = true
			continue
		}
		t := lookupOption(opt.Name)
		if t.set != nil {
			if err := t.set(o, opt.Value); err != nil {
				return actRun, err
			}
		}
		if t.act != actRun {
			act = t.act
		}
	}
	return act, o.Policy.Validate()
}

func actionName(act action) string {
	for opt := range options {
		if opt.act == act {
			return "--" + opt.Long
		}
	}
	return "the options"
}

// getenv is os.LookupEnv over o.Env.
func (o Options) getenv(key string) (string, bool) { return applet.Getenv(o.Env, key) }
