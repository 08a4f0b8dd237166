package nohupx

import (
	"errors"
	"fmt"
	"syscall"

	"github.com/nohupx/nohupx/internal/getopt"
	"github.com/nohupx/nohupx/internal/sigs"
)

// Options is what one invocation asks for.
type Options struct {
	// Prog is argv[0] as given; every message starts with it, as GNU's do.
	Prog string
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
}

// survivePreset is what --survive ignores. SIGTERM because bash sends it
// to stopped jobs when it exits; SIGTTIN and SIGTTOU because a background
// job that touches the terminal is otherwise stopped, and a stopped job is
// what gets that SIGTERM. SIGTSTP and SIGCONT stay as they are so that ^Z,
// bg and fg still work.
var survivePreset = []syscall.Signal{syscall.SIGHUP, syscall.SIGTERM, syscall.SIGTTIN, syscall.SIGTTOU}

var specs = []getopt.Spec{
	{Long: "output", Short: 'o', Arg: true},
	{Long: "quiet", Short: 'q'},
	{Long: "ignore", Arg: true},
	{Long: "survive", Short: 's'},
	{Long: "all-stdio"},
	{Long: "help"},
	{Long: "version"},
}

// action is what the command line asks for besides running a command.
type action int

const (
	actRun action = iota
	actHelp
	actVersion
)

// errMissingOperand is GNU's "missing operand": no COMMAND was given.
var errMissingOperand = errors.New("missing operand")

// parse reads the command line (argv without argv[0]). --help and
// --version win over anything that follows them, as in GNU nohup.
func parse(prog string, args []string) (Options, action, error) {
	o := Options{Prog: prog, Ignore: sigs.Set{syscall.SIGHUP}}
	opts, rest, perr := getopt.Parse(args, specs)
	for _, opt := range opts {
		switch opt.Name {
		case "help":
			return o, actHelp, nil
		case "version":
			return o, actVersion, nil
		}
	}
	if perr != nil {
		return o, actRun, perr
	}
	for _, opt := range opts {
		switch opt.Name {
		case "output":
			if opt.Value == "" {
				return o, actRun, fmt.Errorf("--output needs a file name")
			}
			o.Output = opt.Value
		case "quiet":
			o.Quiet = true
		case "ignore":
			set, err := sigs.ParseList(opt.Value)
			if err != nil {
				return o, actRun, fmt.Errorf("--ignore: %w", err)
			}
			for _, sig := range set {
				if err := sigs.CheckIgnorable(sig); err != nil {
					return o, actRun, fmt.Errorf("--ignore: %w", err)
				}
			}
			o.Ignore = o.Ignore.Add(set...)
		case "survive":
			o.Survive = true
			o.Ignore = o.Ignore.Add(survivePreset...)
		case "all-stdio":
			o.AllStdio = true
		}
	}
	if len(rest) == 0 {
		return o, actRun, errMissingOperand
	}
	o.Command = rest
	return o, actRun, nil
}
